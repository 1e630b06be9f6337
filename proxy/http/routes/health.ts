import { Hono } from 'hono'

/** `GET /healthz`: for load balancers and the operator; says which mode answers. */
export function healthRoute(mode: 'sandbox' | 'live'): Hono {
  return new Hono().get('/healthz', (c) => c.json({ status: 'ok', mode }))
}
