import { isSupportedCountry } from 'libphonenumber-js'
import * as z from 'zod'

/**
 * A form's `botDefense` (contract section 3): absent → the checks that cost a person nothing (a
 * honeypot and a signed timing token); `false` → no bot check at all; an object → single checks
 * switched and the opt-in ones configured. Kept apart from schema.ts so the block reads as one.
 */

const SiteKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.-]+$/, 'must be the provider\'s public site key (letters, digits, "_", "-" or ".")')

/** The opt-in challenges; each provider's secret comes from the environment, never from here. */
export const ChallengeConfig = z.discriminatedUnion(
  'provider',
  [
    z.strictObject({ provider: z.literal('turnstile'), siteKey: SiteKey }),
    z.strictObject({ provider: z.literal('hcaptcha'), siteKey: SiteKey }),
    z.strictObject({
      provider: z.literal('recaptcha'),
      siteKey: SiteKey,
      /** reCAPTCHA v3's score below which a submission is refused; default 0.5. */
      minScore: z.number().min(0).max(1).optional(),
      /** The action the widget names when it asks for a token; checked when set. */
      action: z
        .string()
        .regex(/^[A-Za-z0-9_/]{1,100}$/, 'must be a reCAPTCHA action name (letters, digits, _ and /)')
        .optional(),
    }),
    z.strictObject({
      provider: z.literal('altcha'),
      /**
       * PBKDF2-SHA-256 iterations per try (about 256 tries): higher costs a bot more and a phone
       * a little more too. Default 1,000, about a fifth of a second on a desktop.
       */
      cost: z.int().min(1).max(100_000).optional(),
    }),
  ],
  { error: 'must name a provider: "turnstile", "hcaptcha", "recaptcha" or "altcha"' },
)
export type ChallengeConfig = z.infer<typeof ChallengeConfig>

const Country = z
  .string()
  .refine((code) => isSupportedCountry(code), { error: 'must be an ISO 3166 country code such as "DE"' })

export const BotDefenseObject = z.strictObject({
  /** The invisible field only a bot fills; default true. */
  honeypot: z.boolean().optional(),
  /** The signed timing token issued with the definition; default true. */
  token: z.boolean().optional(),
  /** Sooner than this after the definition was issued, a submission is a bot's; default 2. */
  minSeconds: z.number().min(0).max(600).optional(),
  /** Older tokens are refused (the page was left open for days); default 24. */
  maxAgeHours: z.number().positive().max(720).optional(),
  /** Accepted signups per minute from all clients together; beyond, 429. Default: no ceiling. */
  maxPerMinute: z.int().min(1).max(1_000_000).optional(),
  /** Phone numbers must be from one of these countries (SMS pumping protection). */
  phoneCountries: z.array(Country).min(1).max(300).optional(),
  challenge: ChallengeConfig.optional(),
})
export type BotDefenseObject = z.infer<typeof BotDefenseObject>

/** `false` or the object; a plain union would hide the object's own messages behind "Invalid input". */
export const BotDefenseConfig = z.unknown().transform((value, ctx): false | BotDefenseObject => {
  if (value === false) {
    return false
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be false (no bot checks, for server-side integrations) or an object such as {"minSeconds": 3}',
    })
    return z.NEVER
  }
  const parsed = BotDefenseObject.safeParse(value)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message })
    }
    return z.NEVER
  }
  return parsed.data
})
export type BotDefenseConfig = z.infer<typeof BotDefenseConfig>
