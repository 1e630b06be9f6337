import { isFormId } from '../../contract/definition'

/**
 * The one table of embed options. The script tag (`data-*`), the `<flowform-signup>` element and
 * `Flowform.mount()` all read and check their options here, so a new option is one row: its name
 * (the attribute is the kebab-case of it), its rule with the message that names it, its default.
 * Numeric options are the ones with a numeric default: attributes are converted for those alone.
 */

export type Mode = 'inline' | 'popup' | 'slide-in'

export type Trigger = 'load' | 'delay' | 'scroll' | 'exit' | 'manual'

export type Theme = 'light' | 'dark' | 'auto'

export interface MountOptions {
  /** The form's id from the proxy's config: `[a-z0-9-]{1,64}`. */
  form: string
  /** Where the proxy answers; defaults to this page's origin. */
  endpoint?: string | undefined
  /** A CSP nonce for the `<style>` used where constructed stylesheets are not supported. */
  nonce?: string | undefined
  /** `inline` (default): where it is mounted; `popup`: a modal dialog; `slide-in`: a corner panel. */
  mode?: Mode | undefined
  /** When a popup or slide-in opens by itself; default `load`. `manual`: only `open()`. */
  trigger?: Trigger | undefined
  /** Seconds after mounting, for `trigger: 'delay'`; default 5. */
  delay?: number | undefined
  /** Percent of the page scrolled, for `trigger: 'scroll'`; default 50. */
  scroll?: number | undefined
  /** Days triggers stay quiet after a close or a signup; default 7, 0 = every time. */
  frequencyDays?: number | undefined
  /** A BCP 47 language tag; default: the browser's languages. */
  locale?: string | undefined
  /** `light` (default), `dark`, or `auto` (follows prefers-color-scheme). */
  theme?: Theme | undefined
  /** Values for visible fields by name; they win over the page's query string. */
  prefill?: Record<string, string> | undefined
}

type OptionName = Exclude<keyof MountOptions, 'prefill'>

/**
 * A row: a test, what the value must do to pass it (for the message: "mode must be one of …"), and
 * the default. An option without a test takes any string.
 */
type OptionRow = [test?: (value: never) => boolean, must?: string, fallback?: string | number | undefined]

const oneOf = (list: string[], fallback?: string): OptionRow => [
  (value: string) => list.includes(value),
  `be one of ${list.join(', ')}`,
  fallback,
]

/** Every numeric option starts at 0; NaN (an attribute that is no number) fails both comparisons. */
const upTo = (max: number, fallback: number): OptionRow => [
  (value: number) => value >= 0 && value <= max,
  `be a number from 0 to ${max}`,
  fallback,
]

/**
 * In the order they are checked: the first bad one is reported. `endpoint` has no rule here: it is
 * resolved against the page (see resolveEndpoint), which gives its own message.
 */
export const OPTIONS: Readonly<Record<OptionName, OptionRow>> = {
  form: [isFormId, 'match [a-z0-9-]{1,64}'],
  mode: oneOf(['inline', 'popup', 'slide-in'], 'inline'),
  trigger: oneOf(['load', 'delay', 'scroll', 'exit', 'manual'], 'load'),
  theme: oneOf(['light', 'dark', 'auto']),
  delay: upTo(86400, 5),
  scroll: upTo(100, 50),
  frequencyDays: upTo(3650, 7),
  locale: [(value: string) => /^[a-z]{2,3}(-[a-z\d]{1,8})*$/i.test(value), 'be a language tag such as "de" or "pt-BR"'],
  endpoint: [],
  nonce: [],
}

/** The options with every default filled in: what the rest of the widget reads. */
export type CheckedOptions = MountOptions & {
  [K in 'mode' | 'trigger' | 'delay' | 'scroll' | 'frequencyDays']-?: NonNullable<MountOptions[K]>
}

const NAMES = Object.keys(OPTIONS) as OptionName[]

/** `frequencyDays` → `frequency-days`: the attribute of an option, without its surface's prefix. */
export const attributeOf = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** What is wrong with `value` for the option `name`, as a message naming it; undefined when nothing is. */
export function complaint(name: OptionName, value: unknown): string | undefined {
  const [test, must] = OPTIONS[name]
  return test && !test(value as never) ? `${name} must ${must}, got ${JSON.stringify(value)}` : undefined
}

/**
 * Checks every option against the table and fills in the defaults. Throws a prefixed TypeError
 * for the first option that makes no sense; the embeds turn it into a console error.
 */
export function checkOptions(options: MountOptions): CheckedOptions {
  const values = (options ?? {}) as unknown as Record<string, unknown>
  const checked: Record<string, unknown> = { ...values }
  for (const name of NAMES) {
    const value = values[name]
    // The form is the one option without which there is nothing to mount.
    const wrong = (value !== undefined || name === 'form') && complaint(name, value)
    if (wrong) {
      throw new TypeError(`[flowform] ${wrong}`)
    }
    checked[name] = value ?? OPTIONS[name][2]
  }
  return checked as unknown as CheckedOptions
}

/**
 * The options of an embed from its attributes: `data-mode` etc. on the script tag (`prefix`
 * "data-"), `mode` etc. on the custom element. Values are only converted here; checkOptions()
 * checks them.
 */
export function readAttributes(element: Element, prefix: string): MountOptions {
  const options: Record<string, unknown> = { prefill: {} }
  for (const { name, value } of [...element.attributes]) {
    const key = name.startsWith(prefix) ? name.slice(prefix.length) : ''
    const option = NAMES.find((n) => attributeOf(n) === key)
    if (key.startsWith('prefill-')) {
      ;(options.prefill as Record<string, string>)[key.slice(8)] = value
    } else if (option) {
      // An empty value is not 0.
      options[option] = typeof OPTIONS[option][2] === 'number' ? (value.trim() ? Number(value) : NaN) : value
    }
  }
  return options as unknown as MountOptions
}

/** An absolute http(s) base without a trailing slash, or an explicit error for the caller. */
export function resolveEndpoint(endpoint: string | undefined): string {
  let url: URL | undefined
  try {
    url = new URL(endpoint ?? window.location.origin, document.baseURI)
  } catch {
    // One message for both: not a URL at all, or one of another scheme.
  }
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:') {
    throw new TypeError(`[flowform] endpoint must be an http(s) URL: ${JSON.stringify(endpoint)}`)
  }
  return (url.origin + url.pathname).replace(/\/+$/, '')
}
