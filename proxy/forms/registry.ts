import { DEFAULTS } from '../config/defaults'
import type { PublicForm } from '../../contract/definition'
import type { FlowformConfig, FormConfig } from '../config/schema'
import { NotFoundError, UpstreamError } from '../common/errors'
import type { Logger } from '../common/log'
import type { InfobipClient } from '../upstreams/infobip/client'
import { describeUpstreamError } from '../upstreams/errors'
import { InfobipHttpError } from '../upstreams/infobip/errors'
import { formFromConfig } from './from-config'
import { formFromInfobip } from './from-infobip'

export interface ResolvedForm {
  config: FormConfig
  definition: PublicForm
  /** Submission key → people-data key (`email`, `firstName`, a custom attribute name, …). */
  personFields: Record<string, string>
}

interface CacheEntry {
  form: ResolvedForm | null
  /** Served without asking Infobip until then. */
  freshUntil: number
}

export interface FormRegistryOptions {
  config: FlowformConfig
  infobip: InfobipClient
  log: Logger
  /** How long an Infobip definition is served before it is fetched again. */
  ttlMs?: number
  /** After a failed refresh, how long the last good definition is served before Infobip is asked again. */
  errorRetryMs?: number
  now?: () => number
}

/**
 * Knows every configured form and its public definition. Infobip definitions are cached for a TTL
 * and, when Infobip cannot be reached, the last good one keeps serving (stale-if-error), so a
 * Black Friday outage upstream does not take the form off the shop.
 */
export class FormRegistry {
  readonly #byId: Map<string, FormConfig>
  readonly #static = new Map<string, ResolvedForm>()
  readonly #cache = new Map<string, CacheEntry>()
  readonly #inFlight = new Map<string, Promise<ResolvedForm | null>>()
  readonly #options: FormRegistryOptions

  constructor(options: FormRegistryOptions) {
    this.#options = options
    this.#byId = new Map(options.config.forms.map((f) => [f.id, f]))
    for (const form of options.config.forms) {
      if (!form.infobipFormId && form.fields) {
        const personFields = Object.fromEntries(form.fields.map((f) => [f.name, f.name]))
        this.#static.set(form.id, {
          config: form,
          definition: formFromConfig(form, form.fields, options.log),
          personFields,
        })
      }
    }
  }

  config(id: string): FormConfig | undefined {
    return this.#byId.get(id)
  }

  get forms(): FormConfig[] {
    return [...this.#byId.values()]
  }

  /** The form, or NotFoundError when unknown or not ACTIVE upstream. */
  async resolve(id: string): Promise<ResolvedForm> {
    const config = this.#byId.get(id)
    if (!config) {
      throw new NotFoundError(`There is no form "${id}".`, 'form_not_found')
    }
    const local = this.#static.get(id)
    if (local) {
      return local
    }
    const resolved = await this.#fromInfobip(config)
    if (!resolved) {
      throw new NotFoundError(`The form "${id}" is not available.`, 'form_not_found')
    }
    return resolved
  }

  #now(): number {
    return (this.#options.now ?? Date.now)()
  }

  async #fromInfobip(config: FormConfig): Promise<ResolvedForm | null> {
    const now = this.#now()
    const cached = this.#cache.get(config.id)
    if (cached && now < cached.freshUntil) {
      return cached.form
    }
    let pending = this.#inFlight.get(config.id)
    if (!pending) {
      pending = this.#fetch(config, cached).finally(() => this.#inFlight.delete(config.id))
      this.#inFlight.set(config.id, pending)
    }
    return pending
  }

  async #fetch(config: FormConfig, cached: CacheEntry | undefined): Promise<ResolvedForm | null> {
    const { infobip, log } = this.#options
    const infobipFormId = config.infobipFormId ?? ''
    try {
      const upstream = await infobip.getForm(infobipFormId)
      const mapping = formFromInfobip(config, upstream, log)
      const form = mapping.active
        ? { config, definition: mapping.definition, personFields: mapping.personFields }
        : null
      if (!mapping.active) {
        log.warn({ form: config.id, infobipFormStatus: upstream.formStatus }, 'Infobip form is not ACTIVE; not shown')
      }
      this.#cache.set(config.id, {
        form,
        freshUntil: this.#now() + (this.#options.ttlMs ?? DEFAULTS.formDefinitionTtlMs),
      })
      return form
    } catch (error) {
      if (error instanceof InfobipHttpError && error.status === 404) {
        log.error({ form: config.id, infobipFormId }, 'Infobip form not found; check infobipFormId')
        this.#cache.set(config.id, {
          form: null,
          freshUntil: this.#now() + (this.#options.ttlMs ?? DEFAULTS.formDefinitionTtlMs),
        })
        return null
      }
      if (cached?.form) {
        log.warn(
          { form: config.id, err: describeUpstreamError(error) },
          'Infobip form fetch failed; serving the last good definition',
        )
        // Not every page view should wait for a timeout while Infobip is down: retry a little later.
        this.#cache.set(config.id, {
          form: cached.form,
          freshUntil: this.#now() + (this.#options.errorRetryMs ?? 10_000),
        })
        return cached.form
      }
      throw new UpstreamError(
        {
          upstream: 'infobip-forms',
          ...(error instanceof InfobipHttpError ? { status: error.status, upstreamCode: error.upstreamCode } : {}),
          reason: describeUpstreamError(error),
        },
        'This form cannot be shown right now. Please try again in a few minutes.',
      )
    }
  }
}
