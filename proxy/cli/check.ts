import { parseArgs } from 'node:util'
import type { UpstreamClients } from '../upstreams/infobip/from-env'
import { ConfigError, type LoadedConfig } from '../config/load'
import type { FormConfig } from '../config/schema'
import { EnvError, type ProxyEnv } from '../config/env'
import { describeAuth } from '../upstreams/infobip/auth'
import { InfobipHttpError } from '../upstreams/infobip/errors'
import { createCliContext, readCliConfig, readCliEnv } from './context'
import { probeFlow } from './flow-probe'
import { type CliIo, describeError, type Printer, table } from './io'
import { checkRapidproRows } from './rapidpro'

export type CheckResult = 'ok' | 'FAIL' | 'warn' | 'skip'

export interface CheckRow {
  check: string
  target: string
  result: CheckResult
  detail: string
}

/**
 * `flowform check`: the config (same loader and messages as the server), every configured upstream
 * with the configured credentials, each Infobip form (exists, ACTIVE) and each flow (exists,
 * active). Prints a table; exit code 1 when any row FAILs.
 */
export async function check(args: string[], io: CliIo, print: Printer): Promise<number> {
  parseArgs({ args, options: {}, strict: true, allowPositionals: false })
  const rows: CheckRow[] = []
  // Env and config first, by themselves, so that a broken one is reported in the table too.
  let env: ProxyEnv
  let loaded: LoadedConfig
  try {
    env = readCliEnv(io)
  } catch (error) {
    if (!(error instanceof EnvError)) {
      throw error
    }
    return finish(
      print,
      [{ check: 'environment', target: '(process environment)', result: 'FAIL', detail: 'invalid, see below' }],
      [error.message],
    )
  }
  try {
    loaded = readCliConfig(env, io)
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      throw error
    }
    return finish(
      print,
      [
        {
          check: 'config',
          target: env.configPath ?? './flowform.config.json',
          result: 'FAIL',
          detail: 'invalid, see below',
        },
      ],
      [error.message],
    )
  }
  const { clients } = await createCliContext(io, print, { env, loaded })
  const forms = loaded.config.forms
  rows.push({
    check: 'config',
    target: loaded.source ?? 'built-in demo config',
    result: 'ok',
    detail: `${forms.length} form${forms.length === 1 ? '' : 's'}: ${forms.map((f) => f.id).join(', ')}`,
  })
  const reached = await checkInfobip(env, clients, forms)
  rows.push(reached.row, ...(await infobipFormRows(clients, forms, reached.ok, formsAuthOf(env))))
  rows.push(...(await checkRapidproRows(env, forms, io)))
  return finish(print, rows)
}

/** A row per Infobip form and per flow the config names; skipped when Infobip was not reached. */
async function infobipFormRows(
  clients: UpstreamClients,
  forms: readonly FormConfig[],
  reached: boolean,
  auth: FormsAuth,
): Promise<CheckRow[]> {
  const rows: CheckRow[] = []
  for (const form of forms) {
    if (form.infobipFormId) {
      rows.push(
        reached
          ? await checkForm(clients, form, form.infobipFormId, auth)
          : skipped('infobip form', `${form.id} → ${form.infobipFormId}`),
      )
    }
  }
  const probed = new Map<string, Promise<CheckRow>>()
  for (const form of forms) {
    if (form.flow) {
      const target = `${form.id} → ${form.flow.api} flow ${form.flow.campaignId}`
      if (!reached) {
        rows.push(skipped('flow', target))
        continue
      }
      // Two forms can share a flow: probe it once.
      const campaignId = form.flow.campaignId
      let row = probed.get(campaignId)
      if (!row) {
        row = checkFlow(clients, campaignId)
        probed.set(campaignId, row)
      }
      rows.push({ ...(await row), target })
    }
  }
  return rows
}

function finish(print: Printer, rows: CheckRow[], problems: string[] = []): number {
  print.out(
    table(
      ['CHECK', 'TARGET', 'RESULT', 'DETAIL'],
      rows.map((r) => [r.check, r.target, r.result, r.detail]),
    ),
  )
  for (const problem of problems) {
    print.out()
    print.out(problem)
  }
  const failed = rows.filter((r) => r.result === 'FAIL').length
  const warned = rows.filter((r) => r.result === 'warn').length
  print.out()
  if (failed > 0) {
    print.out(`${failed} check${failed === 1 ? '' : 's'} failed.`)
    return 1
  }
  print.out(warned > 0 ? `All checks passed, with ${warned} warning${warned === 1 ? '' : 's'}.` : 'All checks passed.')
  return 0
}

const skipped = (check: string, target: string): CheckRow => ({
  check,
  target,
  result: 'skip',
  detail: 'Infobip not usable, see above',
})

/** Reaches Infobip with the configured credentials: one small read (`GET /forms/1/forms?limit=1`). */
async function checkInfobip(
  env: ProxyEnv,
  clients: UpstreamClients,
  forms: FormConfig[],
): Promise<{ ok: boolean; row: CheckRow }> {
  const target = env.infobip ? env.infobip.baseUrl : 'sandbox (in-process fake)'
  const scheme = env.infobip ? describeAuth(env.infobip.auth) : 'sandbox API key'
  const row = (result: CheckResult, detail: string) => ({ check: 'infobip', target, result, detail })
  try {
    await clients.infobip.listForms({ limit: 1 })
    return { ok: true, row: row('ok', `reached; ${scheme} accepted`) }
  } catch (error) {
    if (error instanceof InfobipHttpError && error.status === 403) {
      // Authenticated, but not allowed to list forms: only a problem when a form comes from Infobip.
      const needsForms = forms.some((f) => f.infobipFormId)
      return {
        ok: true,
        row: row(
          needsForms ? 'FAIL' : 'ok',
          `reached; ${scheme} accepted, but listing forms is forbidden (403): the credentials lack the forms scopes`,
        ),
      }
    }
    if (error instanceof InfobipHttpError && error.status === 401) {
      const where = error.path.startsWith('/auth/') ? ` when asking ${error.path} for a session or token` : ''
      return { ok: false, row: row('FAIL', `${scheme} refused (401${where}): check the credentials`) }
    }
    return { ok: false, row: row('FAIL', describeError(error)) }
  }
}

/** How the configured credentials meet the Forms endpoints, which declare only the API-key scheme. */
interface FormsAuth {
  apiKey: boolean
  scheme: string
}

function formsAuthOf(env: ProxyEnv): FormsAuth {
  return env.infobip
    ? { apiKey: env.infobip.auth.kind === 'app', scheme: describeAuth(env.infobip.auth) }
    : { apiKey: true, scheme: 'sandbox API key' }
}

const API_KEY_ONLY =
  "Infobip's spec declares only the API-key scheme for the Forms endpoints (get form, views, data): set INFOBIP_API_KEY"

/**
 * Reads the form with the configured credentials (`GET /forms/1/forms/{id}`). Views and data are
 * not tried: they would count a view or store a submission. With anything but an API key, the
 * answer says what the spec promises for them.
 */
async function checkForm(
  clients: UpstreamClients,
  form: FormConfig,
  infobipFormId: string,
  auth: FormsAuth,
): Promise<CheckRow> {
  const row = (result: CheckResult, detail: string) => ({
    check: 'infobip form',
    target: `${form.id} → ${infobipFormId}`,
    result,
    detail,
  })
  try {
    const upstream = await clients.infobip.getForm(infobipFormId)
    const summary = `"${upstream.name}", ${upstream.elements.length} elements`
    if (upstream.formStatus !== 'ACTIVE') {
      return row('FAIL', `${upstream.formStatus}, ${summary}: only ACTIVE forms are shown`)
    }
    return auth.apiKey
      ? row('ok', `ACTIVE, ${summary}`)
      : row('warn', `ACTIVE, ${summary}; read with ${auth.scheme}, but views and data may refuse it: ${API_KEY_ONLY}`)
  } catch (error) {
    if (error instanceof InfobipHttpError && error.status === 404) {
      return row('FAIL', 'not found: check infobipFormId (`flowform forms list` shows the ids)')
    }
    if (!auth.apiKey && error instanceof InfobipHttpError && (error.status === 401 || error.status === 403)) {
      return row('FAIL', `${auth.scheme} refused (${error.status}): an API key is needed. ${API_KEY_ONLY}`)
    }
    return row('FAIL', describeError(error))
  }
}

async function checkFlow(clients: UpstreamClients, campaignId: string): Promise<CheckRow> {
  const probe = await probeFlow(clients.infobip, campaignId)
  const result: CheckResult = probe.state === 'active' ? 'ok' : probe.state === 'unknown' ? 'warn' : 'FAIL'
  return { check: 'flow', target: campaignId, result, detail: probe.detail }
}
