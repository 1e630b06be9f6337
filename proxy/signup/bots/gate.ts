import type { Challenge } from 'altcha-lib'
import type { PublicForm, SubmissionStatus, SubmissionValues } from '../../../contract/definition'
import { confirmationOf, type FormConfig } from '../../config/schema'
import { resolveLocale } from '../../forms/localise'
import type { ResolvedForm } from '../../forms/registry'
import { NotFoundError, ValidationError } from '../../common/errors'
import type { Logger } from '../../common/log'
import type { SubmissionBody } from '../schema'
import { altchaKey, issueAltcha, verifyAltcha } from './altcha'
import { SignupCeiling } from './ceiling'
import { ChallengeError, ChallengeUnavailableError } from './challenge-errors'
import { type DropReason, DropCounter } from './drops'
import { phoneCountryErrors } from './phone-countries'
import { type BotSettings, botSettings } from './settings'
import { MemorySpentChallenges, type SpentChallenges } from './spent-challenges'
import { type HostedProvider, type HostedVerifier, providerScript, SCRIPT_URLS, verifyHosted } from './siteverify'
import { checkToken, issueToken, type TokenVerdict } from './token'

export interface BotGateOptions {
  /** The token key (FLOWFORM_TOKEN_SECRET or the generated one); the ALTCHA key derives from it. */
  secret: Buffer
  /** The hosted providers the environment has secrets for. */
  hosted: Partial<Record<HostedProvider, HostedVerifier>>
  log: Logger
  now?: () => number
  fetch?: typeof fetch
  /** false: no bot check for any form (browser tests whose widget sends no token). */
  enabled?: boolean
  /**
   * Solved ALTCHA challenges already used; default this instance's memory. With PostgreSQL, the
   * table every instance shares, so a solution replayed to another instance is refused too.
   */
  spent?: SpentChallenges
}

/** What the definition tells the widget: the honeypot's name, the token, the challenge to load. */
export type BotDefinition = Pick<PublicForm, 'honeypot' | 'token' | 'challenge'>

const TOKEN_DROPS: Record<Exclude<TokenVerdict, 'ok'>, DropReason> = {
  missing: 'token_missing',
  invalid: 'token_invalid',
  expired: 'token_expired',
  too_fast: 'too_fast',
}

/** A plausible name for a bot to fill, unless the form has a field of that name. */
function honeypotName(definition: PublicForm): string {
  const taken = new Set(definition.fields.map((f) => f.name))
  return ['website', 'homepage', 'company-url'].find((name) => !taken.has(name)) ?? 'ff-website'
}

/**
 * The form's bot checks, in one place: what the definition carries for them, and the verdict on
 * a submission whose values already passed. Drops are answered like a success and delivered
 * nowhere; a failed challenge is a 403, a phone from another country a 422, the ceiling a 429.
 */
export class BotGate {
  readonly #options: BotGateOptions
  readonly #now: () => number
  readonly #altchaKey: string
  readonly drops: DropCounter
  readonly #ceiling: SignupCeiling
  readonly #spent: SpentChallenges

  constructor(options: BotGateOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
    this.#altchaKey = altchaKey(options.secret)
    this.drops = new DropCounter(options.log, this.#now)
    this.#ceiling = new SignupCeiling(options.log, this.#now)
    this.#spent = options.spent ?? new MemorySpentChallenges()
  }

  settings(config: FormConfig): BotSettings | null {
    return this.#options.enabled === false ? null : botSettings(config.botDefense)
  }

  /** Forms whose challenge provider has no secret in the environment: a start-up error. */
  unconfigured(forms: readonly FormConfig[]): string[] {
    return forms
      .map((form) => ({ id: form.id, challenge: this.settings(form)?.challenge }))
      .filter(
        ({ challenge }) => challenge && challenge.provider !== 'altcha' && !this.#options.hosted[challenge.provider],
      )
      .map(({ id, challenge }) => `form "${id}" uses ${challenge?.provider ?? ''}`)
  }

  definition(form: ResolvedForm): BotDefinition {
    const settings = this.settings(form.config)
    const result: BotDefinition = {}
    if (settings?.honeypot) {
      result.honeypot = honeypotName(form.definition)
    }
    if (settings?.token) {
      result.token = issueToken(this.#options.secret, form.config.id, this.#now())
    }
    const challenge = settings?.challenge
    if (challenge?.provider === 'altcha') {
      result.challenge = { provider: 'altcha' }
    } else if (challenge) {
      const script = providerScript(
        challenge,
        this.#options.hosted[challenge.provider]?.scriptUrl ?? SCRIPT_URLS[challenge.provider],
      )
      result.challenge = { provider: challenge.provider, siteKey: challenge.siteKey, script }
      if (challenge.provider === 'recaptcha') {
        // The action the widget names when it asks for a token; the server checks it when configured.
        result.challenge.action = challenge.action ?? 'signup'
      }
    }
    return result
  }

  /** A fresh proof-of-work challenge; 404 for a form that does not use ALTCHA. */
  async altchaChallenge(form: ResolvedForm): Promise<Challenge> {
    const challenge = this.settings(form.config)?.challenge
    if (challenge?.provider !== 'altcha') {
      throw new NotFoundError(`The form "${form.config.id}" has no proof-of-work challenge.`)
    }
    return issueAltcha(this.#altchaKey, form.config.id, { cost: challenge.cost, nowMs: this.#now() })
  }

  /** `drop`: answer like a success and deliver nowhere. Throws for a refusal the person should see. */
  async admit(
    form: ResolvedForm,
    body: SubmissionBody,
    values: SubmissionValues,
    clientAddress?: string,
  ): Promise<'pass' | 'drop'> {
    const settings = this.settings(form.config)
    if (!settings) {
      return 'pass'
    }
    const reason = this.#dropReason(form.config.id, settings, body)
    if (reason) {
      this.drops.drop(form.config.id, reason)
      return 'drop'
    }
    if (settings.phoneCountries) {
      const locale = resolveLocale(body.context?.locale)
      const errors = phoneCountryErrors(form, values, settings.phoneCountries, locale)
      if (Object.keys(errors).length > 0) {
        throw new ValidationError(errors)
      }
    }
    if (settings.challenge) {
      await this.#verifyChallenge(form.config.id, settings.challenge, body.challenge, clientAddress)
    }
    if (settings.maxPerMinute !== undefined) {
      this.#ceiling.take(form.config.id, settings.maxPerMinute)
    }
    return 'pass'
  }

  #dropReason(formId: string, settings: BotSettings, body: SubmissionBody): DropReason | null {
    if (settings.honeypot && body.honeypot !== undefined && body.honeypot !== '' && body.honeypot !== false) {
      return 'honeypot'
    }
    if (settings.token) {
      const verdict = checkToken(this.#options.secret, formId, body.token, this.#now(), settings)
      if (verdict !== 'ok') {
        return TOKEN_DROPS[verdict]
      }
    }
    return null
  }

  async #verifyChallenge(
    formId: string,
    challenge: NonNullable<BotSettings['challenge']>,
    response: string | undefined,
    clientAddress: string | undefined,
  ): Promise<void> {
    if (!response) {
      throw new ChallengeError('challenge_required')
    }
    if (challenge.provider === 'altcha') {
      const signature = await verifyAltcha(this.#altchaKey, formId, response)
      const first = await this.#spent.spend(signature).catch((error: unknown) => {
        // The shared store (PostgreSQL) did not answer: the solution cannot be checked for reuse.
        throw new ChallengeUnavailableError(
          `spent challenges: ${error instanceof Error ? error.message : String(error)}`,
        )
      })
      if (!first) {
        throw new ChallengeError('challenge_failed')
      }
      return
    }
    const verifier = this.#options.hosted[challenge.provider]
    if (!verifier) {
      // Refused at start (unconfigured); kept as a guard so a form is never left unchecked.
      throw new ChallengeUnavailableError(`${challenge.provider}: no secret configured`)
    }
    await verifyHosted(challenge, verifier, response, {
      remoteIp: clientAddress,
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
    })
  }
}

/** What a dropped submission is told: what a real one of the form is told at once. */
export function droppedStatus(config: FormConfig): SubmissionStatus {
  return confirmationOf(config) === 'flow' ? 'enrolled' : 'queued'
}
