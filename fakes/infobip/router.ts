// Maps method + pathname to the API module that answers it. Hosts are ignored on purpose: the
// fake is reached through any base URL the proxy is configured with.
import { countView, getForm, listForms, submitForm } from './forms'
import { notFound } from './http'
import { addPersonToFlow, removePersonFromFlow } from './legacy-flow'
import { addParticipants, participantsReport } from './moments'
import type { SandboxState } from './state'

type Handler = (state: SandboxState, request: Request, url: URL, param: string) => Response | Promise<Response>

const ROUTES: { method: string; pattern: RegExp; handler: Handler }[] = [
  { method: 'GET', pattern: /^\/forms\/1\/forms$/, handler: (s, _r, url) => listForms(s, url) },
  { method: 'GET', pattern: /^\/forms\/1\/forms\/([^/]+)$/, handler: (s, _r, _u, id) => getForm(s, id) },
  { method: 'POST', pattern: /^\/forms\/1\/forms\/([^/]+)\/views$/, handler: (s, _r, _u, id) => countView(s, id) },
  { method: 'POST', pattern: /^\/forms\/1\/forms\/([^/]+)\/data$/, handler: (s, r, _u, id) => submitForm(s, r, id) },
  {
    method: 'POST',
    pattern: /^\/moments\/1\/flows\/([^/]+)\/participants$/,
    handler: (s, r, url, id) => addParticipants(s, r, url.pathname, id),
  },
  {
    method: 'GET',
    pattern: /^\/moments\/1\/flows\/([^/]+)\/participants\/report$/,
    handler: (s, _r, url, id) => participantsReport(s, url, id),
  },
  {
    method: 'POST',
    pattern: /^\/communication\/1\/flows\/([^/]+)\/participants$/,
    handler: (s, r, url, id) => addPersonToFlow(s, r, url, id),
  },
  {
    method: 'DELETE',
    pattern: /^\/communication\/1\/flows\/([^/]+)\/participants$/,
    handler: (s, _r, url, id) => removePersonFromFlow(s, url, id),
  },
]

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

export async function route(state: SandboxState, request: Request, url: URL): Promise<Response> {
  for (const { method, pattern, handler } of ROUTES) {
    const match = pattern.exec(url.pathname)
    if (!match || method !== request.method) {
      continue
    }
    const param = decode(match[1] ?? '')
    return param === undefined ? notFound() : handler(state, request, url, param)
  }
  return notFound()
}
