import { parseArgs } from 'node:util'
import type { FormConfig } from '../config/schema'
import type { ProxyEnv } from '../config/env'
import type { RapidproClient } from '../upstreams/rapidpro/client'
import { describeUpstreamError } from '../upstreams/errors'
import { createRapidpro } from '../upstreams/rapidpro/from-env'
import type { CheckRow } from './check'
import { readCliConfig, readCliEnv, runningSandbox } from './context'
import { type CliIo, type Printer, UsageError } from './io'

// The RapidPro modules are loaded when a RapidPro command runs, so the other commands do not
// depend on them.

const NOT_CONFIGURED = 'RapidPro is not configured: set RAPIDPRO_BASE_URL and RAPIDPRO_TOKEN'

/**
 * The RapidPro client the server would use (rapidpro/from-env.ts): the real API, a fresh sandbox
 * fake when no upstream credentials are set at all, or null when RapidPro is off. Says which.
 */
export async function rapidproFor(env: ProxyEnv, io: CliIo, print?: Printer): Promise<RapidproClient | null> {
  const sandboxLink = runningSandbox(env)
  const setup = await createRapidpro(env, { ...(io.fetch ? { fetch: io.fetch } : {}), sandboxLink })
  if (print && setup.mode === 'live') {
    print.err(`flowform: calling RapidPro at ${env.rapidpro?.baseUrl}.`)
  } else if (print && sandboxLink) {
    print.err(`flowform: SANDBOX mode: acting on the RapidPro fake of the sandbox proxy running at ${sandboxLink.url}.`)
  } else if (print && setup.mode === 'sandbox') {
    print.err(
      'flowform: SANDBOX mode: no upstream credentials are set, so a fresh in-process fake of RapidPro answers (nothing real is changed).',
    )
  } else if (print) {
    print.err(`flowform: ${NOT_CONFIGURED}.`)
  }
  return setup.client
}

/** `flowform rapidpro sync --form <id>`: creates the contact fields and groups the form writes to. */
export async function rapidproSync(args: string[], io: CliIo, print: Printer): Promise<number> {
  const { values } = parseArgs({ args, options: { form: { type: 'string' } }, strict: true, allowPositionals: false })
  if (!values.form) {
    throw new UsageError('--form is required')
  }
  const env = readCliEnv(io)
  const loaded = readCliConfig(env, io)
  const form = loaded.config.forms.find((f) => f.id === values.form)
  if (!form) {
    print.err(`flowform: there is no form "${values.form}" in ${loaded.source ?? 'the built-in demo config'}.`)
    return 1
  }
  if (!form.rapidpro) {
    print.err(`flowform: form "${form.id}" has no "rapidpro" settings, so nothing goes to RapidPro.`)
    return 1
  }
  const client = await rapidproFor(env, io, print)
  if (!client) {
    return 1
  }
  const { syncRapidpro } = await import('../upstreams/rapidpro/sync')
  try {
    const result = await syncRapidpro(client, form)
    const list = (items: string[]) => (items.length > 0 ? items.join(', ') : '(none)')
    print.out(`RapidPro is ready for form "${form.id}":`)
    print.out(`  fields created:   ${list(result.createdFields)}`)
    print.out(`  fields existing:  ${list(result.existingFields)}`)
    print.out(`  groups created:   ${list(result.createdGroups)}`)
    print.out(`  groups existing:  ${list(result.existingGroups)}`)
    return 0
  } catch (error) {
    print.err(`flowform: RapidPro sync failed: ${describeUpstreamError(error)}`)
    return 1
  }
}

/**
 * `flowform rapidpro delete --email|--phone`: stops the person's unfinished outbox deliveries, then
 * erases the contact. Exit 1 when there was no contact.
 */
export async function rapidproDelete(args: string[], io: CliIo, print: Printer): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, phone: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  })
  const email = values.email?.trim()
  const phone = values.phone?.trim()
  if ((email === undefined) === (phone === undefined) || email === '' || phone === '') {
    throw new UsageError('give exactly one of --email, --phone')
  }
  const env = readCliEnv(io)
  // First, so that a queued signup cannot write the contact again once it is deleted. Loaded here:
  // `check` uses this module too and must not depend on SQLite.
  const { eraseFromOutbox, printOutboxStep } = await import('./erase-outbox')
  if (!printOutboxStep(await eraseFromOutbox(io, email !== undefined ? { email } : { phone }), print)) {
    return 1
  }
  const client = await rapidproFor(env, io, print)
  if (!client) {
    return 1
  }
  const who = email !== undefined ? `email ${email}` : `phone ${phone}`
  const { eraseContact } = await import('../upstreams/rapidpro/erase')
  try {
    const result = await eraseContact(client, email !== undefined ? { email } : { phone })
    if (result === 'deleted') {
      print.out(`Deleted the RapidPro contact with ${who}.`)
      return 0
    }
    print.err(`flowform: RapidPro has no contact with ${who}; nothing was deleted.`)
    return 1
  } catch (error) {
    print.err(`flowform: RapidPro delete failed: ${describeUpstreamError(error)}`)
    return 1
  }
}

/** The RapidPro rows of `flowform check`. */
export async function checkRapidproRows(env: ProxyEnv, forms: FormConfig[], io: CliIo): Promise<CheckRow[]> {
  const using = forms.filter((f) => f.rapidpro)
  const client = await rapidproFor(env, io)
  if (!client || (!env.rapidpro && using.length === 0)) {
    return using.length === 0
      ? []
      : [
          {
            check: 'rapidpro',
            target: '(not configured)',
            result: 'warn',
            detail: `forms ${using.map((f) => f.id).join(', ')} have "rapidpro" settings, but ${NOT_CONFIGURED}`,
          },
        ]
  }
  const target = env.rapidpro?.baseUrl ?? 'sandbox (in-process fake)'
  try {
    const { checkRapidpro } = await import('../upstreams/rapidpro/check')
    const results = await checkRapidpro(client, using)
    return results.map((r) => ({ check: 'rapidpro', target: r.name, result: r.ok ? 'ok' : 'FAIL', detail: r.detail }))
  } catch (error) {
    return [{ check: 'rapidpro', target, result: 'FAIL', detail: describeUpstreamError(error) }]
  }
}
