/**
 * Upstream calls never follow a redirect (`redirect: 'manual'`): a 3xx to another host would get
 * the person's data and our credentials, and a redirect is nothing a retry can fix. The 3xx reaches
 * the caller as a non-transient HTTP error, for the operator, with this text.
 */
export const NO_REDIRECTS = { redirect: 'manual' } as const

/** The operator's text for a 3xx answer, or undefined for any other status. */
export function redirectRefused(response: Response): { code: string; message: string } | undefined {
  if (response.status < 300 || response.status > 399) {
    return undefined
  }
  const location = response.headers.get('location')
  let target = 'elsewhere'
  try {
    target = location ? new URL(location, response.url || undefined).origin : target
  } catch {
    target = 'an unreadable Location'
  }
  return {
    code: 'REDIRECT',
    message: `answered with a redirect to ${target}, which is not followed: check the base URL`,
  }
}
