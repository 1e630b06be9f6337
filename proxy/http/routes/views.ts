import { Hono } from 'hono'
import type { FormRegistry } from '../../forms/registry'
import type { Logger } from '../../common/log'
import type { InfobipClient } from '../../upstreams/infobip/client'
import type { ClientAddressEnv } from '../middleware/client-address'
import type { OriginPolicy } from '../middleware/origin-policy'
import { rateLimit } from '../middleware/rate-limit'

/** `POST /v1/forms/:id/views`: one view of a form, forwarded to Infobip for Infobip forms. */
export function viewsRoute(deps: {
  registry: FormRegistry
  infobip: InfobipClient
  origins: OriginPolicy
  perMinute: number
  log: Logger
}): Hono<ClientAddressEnv> {
  const droppedViews = viewDropCounter(deps.log)
  return new Hono<ClientAddressEnv>().post(
    '/:id/views',
    // The origin first: a refused origin must not spend the shop's rate-limit budget.
    deps.origins.check({ required: true }),
    rateLimit('views', deps.perMinute),
    (c) => {
      const config = deps.registry.config(c.req.param('id'))
      if (config?.infobipFormId) {
        // Counting a view must never hold up the page: answer now, forward in the background.
        void deps.infobip.incrementViews(config.infobipFormId).then(
          (sent) => {
            if (!sent) {
              droppedViews.count(config.id)
            }
          },
          (error: unknown) => {
            droppedViews.count(config.id, error instanceof Error ? error.message : String(error))
          },
        )
      }
      return c.body(null, 204)
    },
  )
}

/**
 * Views not forwarded upstream: the first is logged at once, the rest of that minute as one line with
 * a count, so a busy day does not write a log line per page view.
 */
export function viewDropCounter(log: Logger, intervalMs = 60_000): { count(form: string, reason?: string): void } {
  const pending = new Map<string, { dropped: number; reason: string }>()
  let timer: ReturnType<typeof setTimeout> | null = null
  const flush = () => {
    timer = null
    for (const [form, { dropped, reason }] of pending) {
      log.warn({ form, dropped, reason }, 'view count not forwarded')
    }
    pending.clear()
  }
  return {
    count(form, reason = 'Infobip calls are queueing; signups go first') {
      if (!timer) {
        log.warn({ form, dropped: 1, reason }, 'view count not forwarded')
        timer = setTimeout(flush, intervalMs)
        timer.unref?.()
        return
      }
      const entry = pending.get(form) ?? { dropped: 0, reason }
      entry.dropped++
      entry.reason = reason
      pending.set(form, entry)
    },
  }
}
