import type { BotDefenseConfig, ChallengeConfig } from '../../config/bot-defense'

/** One form's bot checks with every default filled in; null when the form has `botDefense: false`. */
export interface BotSettings {
  honeypot: boolean
  token: boolean
  minSeconds: number
  maxAgeSeconds: number
  maxPerMinute: number | undefined
  phoneCountries: readonly string[] | undefined
  challenge: ChallengeConfig | undefined
}

/** The defaults of an absent `botDefense`: the checks a person never notices. */
export const BOT_DEFAULTS = {
  honeypot: true,
  token: true,
  /** Nobody reads a form, types an address and ticks consent in under two seconds; autofill plus a click takes about that. */
  minSeconds: 2,
  maxAgeHours: 24,
} as const

export function botSettings(config: BotDefenseConfig | undefined): BotSettings | null {
  if (config === false) {
    return null
  }
  return {
    honeypot: config?.honeypot ?? BOT_DEFAULTS.honeypot,
    token: config?.token ?? BOT_DEFAULTS.token,
    minSeconds: config?.minSeconds ?? BOT_DEFAULTS.minSeconds,
    maxAgeSeconds: (config?.maxAgeHours ?? BOT_DEFAULTS.maxAgeHours) * 3_600,
    maxPerMinute: config?.maxPerMinute,
    phoneCountries: config?.phoneCountries,
    challenge: config?.challenge,
  }
}
