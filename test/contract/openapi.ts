// Infobip's published OpenAPI 3.1 document as a validator of recorded calls: every request the proxy
// sends is checked against its operation (security scheme, parameters, request body) and every
// answer of the fake against the response documented for its status. Ajv2020 because OpenAPI 3.1
// schemas are JSON Schema 2020-12; ajv-formats for `date-time`, `uri` and friends.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

type Json = Record<string, unknown>
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'infobip-openapi')
const DOCUMENTS = ['infobip-moments-openapi.json', 'infobip-account-management-openapi.json'] as const

/**
 * The one known flaw relaxed (fixtures README): these map values are typed `{"type": "object"}`,
 * but the document's examples and Infobip's generated clients carry plain strings and numbers.
 * Each path must exist and hold exactly that, so a new release of the document cannot slip by.
 */
const RELAXED: readonly { schema: string; path: readonly string[] }[] = [
  { schema: 'IamPersonV2', path: ['properties', 'customAttributes', 'additionalProperties'] },
  { schema: 'FlowPersonRequest', path: ['properties', 'flowVariables', 'additionalProperties'] },
  { schema: 'FlowParticipant', path: ['properties', 'variables', 'additionalProperties'] },
  { schema: 'FormDataPayloadMap', path: ['additionalProperties'] },
]

export interface RecordedExchange {
  method: string
  /** Pathname without host. */
  path: string
  query: URLSearchParams
  headers: Headers
  /** The request body as sent; '' for none. */
  body: string
  status: number
  responseHeaders: Headers
  responseBody: string
}

interface Operation {
  document: string
  template: string
  pointer: string
  op: Json
}

function load(name: string): Json {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Json
}

function relax(documents: Record<string, Json>): number {
  let relaxed = 0
  for (const { schema, path } of RELAXED) {
    for (const document of Object.values(documents)) {
      const schemas = (document.components as Json).schemas as Record<string, Json>
      for (const [name, value] of Object.entries(schemas)) {
        if (name !== schema && !name.endsWith(`.${schema}`)) {
          continue
        }
        const parent = path.slice(0, -1).reduce<Json>((at, key) => at[key] as Json, value)
        const last = path.at(-1) ?? ''
        const typed = parent[last] as Json | undefined
        // `{"type": "object"}`, with at most a description beside it.
        if (typed?.type !== 'object' || Object.keys(typed).some((k) => k !== 'type' && k !== 'description')) {
          throw new Error(`${name}/${path.join('/')} is no longer {"type":"object"}: revisit the relaxation`)
        }
        parent[last] = {}
        relaxed += 1
      }
    }
  }
  return relaxed
}

const escape = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1')

export class OpenApiContract {
  readonly #ajv: Ajv2020
  readonly #documents: Record<string, Json>
  readonly #validators = new Map<string, ValidateFunction>()
  /** How many schemas the relaxation touched (one per RELAXED entry). */
  readonly relaxed: number

  constructor() {
    this.#documents = Object.fromEntries(DOCUMENTS.map((name) => [name, load(name)]))
    this.relaxed = relax(this.#documents)
    // strict: false because OpenAPI adds keywords of its own (example, xml, discriminator).
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true })
    addFormats(this.#ajv)
    this.#ajv.addFormat('int32', {
      type: 'number',
      validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
    })
    this.#ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) })
    for (const [name, document] of Object.entries(this.#documents)) {
      this.#ajv.addSchema(document, name)
    }
  }

  /** The problems of one exchange, as readable lines; empty when it keeps to the document. */
  problems(exchange: RecordedExchange, checks: { request: boolean } = { request: true }): string[] {
    const found = this.#operation(exchange.method, exchange.path)
    if (!found) {
      return [`${exchange.method} ${exchange.path}: no such operation in the document`]
    }
    const where = `${exchange.method} ${found.template} → ${exchange.status}`
    return [
      ...(checks.request ? this.#requestProblems(found, exchange).map((p) => `${where}: request ${p}`) : []),
      ...this.#responseProblems(found, exchange).map((p) => `${where}: response ${p}`),
    ]
  }

  #operation(method: string, path: string): Operation | undefined {
    for (const [document, spec] of Object.entries(this.#documents)) {
      for (const [template, item] of Object.entries(spec.paths as Record<string, Json>)) {
        const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`)
        const op = item[method.toLowerCase()] as Json | undefined
        if (op && pattern.test(path)) {
          return { document, template, pointer: `#/paths/${escape(template)}/${method.toLowerCase()}`, op }
        }
      }
    }
    return undefined
  }

  #validate(document: string, pointer: string, value: unknown): string[] {
    const ref = `${document}${pointer}`
    let validate = this.#validators.get(ref)
    if (!validate) {
      validate = this.#ajv.compile({ $ref: ref })
      this.#validators.set(ref, validate)
    }
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
  }

  #requestProblems({ document, pointer, op }: Operation, exchange: RecordedExchange): string[] {
    const problems: string[] = []
    const security = (op.security as Json[] | undefined) ?? []
    if (security.length > 0) {
      const scheme = (exchange.headers.get('authorization') ?? '').split(' ')[0]?.toLowerCase() ?? ''
      const allowed = security.flatMap((s) => Object.keys(s)).map((name) => SCHEMES[name])
      if (!allowed.includes(scheme)) {
        problems.push(`uses the "${scheme}" scheme; the operation declares ${allowed.join(', ')}`)
      }
    }
    const parameters = (op.parameters as Json[] | undefined) ?? []
    parameters.forEach((parameter, i) => {
      const name = String(parameter.name)
      const value =
        parameter.in === 'query'
          ? exchange.query.get(name)
          : parameter.in === 'header'
            ? exchange.headers.get(name)
            : parameter.in === 'path'
              ? 'present'
              : null
      if (value === null) {
        if (parameter.required === true) {
          problems.push(`lacks the required ${String(parameter.in)} parameter ${name}`)
        }
        return
      }
      if (parameter.in !== 'path') {
        const schema = parameter.schema as Json | undefined
        const typed = schema?.type === 'integer' || schema?.type === 'number' ? Number(value) : value
        problems.push(...this.#validate(document, `${pointer}/parameters/${i}/schema`, typed).map((p) => `${name}${p}`))
      }
    })
    const declared = new Set(parameters.filter((p) => p.in === 'query').map((p) => String(p.name)))
    for (const name of exchange.query.keys()) {
      if (!declared.has(name)) {
        problems.push(`sends the query parameter ${name}, which the operation does not declare`)
      }
    }
    const body = op.requestBody as Json | undefined
    if (exchange.body === '') {
      if (body?.required === true) {
        problems.push('has no body, which is required')
      }
      return problems
    }
    const content = (body?.content as Record<string, Json> | undefined) ?? {}
    const type = mediaType(exchange.headers.get('content-type'))
    if (!(type in content)) {
      return [...problems, `has a ${type} body; the operation takes ${Object.keys(content).join(', ') || 'none'}`]
    }
    const parsed =
      type === 'application/x-www-form-urlencoded'
        ? Object.fromEntries(new URLSearchParams(exchange.body))
        : parseJson(exchange.body)
    if (parsed === undefined) {
      return [...problems, 'body is not JSON']
    }
    return [...problems, ...this.#validate(document, `${pointer}/requestBody/content/${escape(type)}/schema`, parsed)]
  }

  #responseProblems({ document, pointer, op }: Operation, exchange: RecordedExchange): string[] {
    const responses = op.responses as Record<string, Json>
    const key = [String(exchange.status), `${String(exchange.status)[0]}XX`, 'default'].find((k) => k in responses)
    if (key === undefined) {
      return [`status ${exchange.status} is not documented`]
    }
    let response = responses[key] as Json
    let at = `${pointer}/responses/${key}`
    if (typeof response.$ref === 'string') {
      at = response.$ref
      response = at
        .slice(2)
        .split('/')
        .reduce<Json>(
          (node, segment) => node[segment.replaceAll('~1', '/').replaceAll('~0', '~')] as Json,
          this.#documents[document] as Json,
        )
    }
    const content = response.content as Record<string, Json> | undefined
    if (!content) {
      return exchange.responseBody === '' ? [] : ['has a body where the document declares none']
    }
    const type = mediaType(exchange.responseHeaders.get('content-type'))
    const entry = type in content ? type : '*/*' in content ? '*/*' : undefined
    if (entry === undefined) {
      return [`has content type ${type}; documented: ${Object.keys(content).join(', ')}`]
    }
    if (!('schema' in (content[entry] as Json))) {
      // Documented without a schema (the report's 404): anything, or nothing, is within it.
      return []
    }
    const parsed = parseJson(exchange.responseBody)
    if (parsed === undefined) {
      return ['body is not JSON']
    }
    return this.#validate(document, `${at}/content/${escape(entry)}/schema`, parsed)
  }
}

/** The Authorization scheme word of each securitySchemes entry. */
const SCHEMES: Record<string, string> = {
  APIKeyHeader: 'app',
  Basic: 'basic',
  IBSSOTokenHeader: 'ibsso',
  OAuth2: 'bearer',
}

function mediaType(header: string | null): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** A fetch that records every exchange with `handler` (the fake), bodies included. */
export function recording(handler: (request: Request) => Promise<Response>): {
  fetch: typeof fetch
  exchanges: RecordedExchange[]
} {
  const exchanges: RecordedExchange[] = []
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const body = await request.clone().text()
    const response = await handler(request)
    exchanges.push({
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
      status: response.status,
      responseHeaders: response.headers,
      responseBody: await response.clone().text(),
    })
    return response
  }
  return { fetch: fetchImpl as typeof fetch, exchanges }
}
