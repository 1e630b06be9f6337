import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { onError } from '../../../proxy/http/error-response'
import { knownForm } from '../../../proxy/http/middleware/known-form'
import { createMemoryLogger } from '../../../proxy/common/log'

function app() {
  const reached: string[] = []
  const forms = new Hono()
  forms.onError(onError(createMemoryLogger().log))
  forms.use('/:id/*', knownForm({ config: (id) => (id === 'welcome' ? {} : undefined) }))
  forms.all('/:id/*', (c) => {
    reached.push(c.req.param('id'))
    return c.body(null, 204)
  })
  return { forms, reached }
}

describe('knownForm', () => {
  it('lets a configured form through', async () => {
    const { forms, reached } = app()
    expect((await forms.request('/welcome/views', { method: 'POST' })).status).toBe(204)
    expect(reached).toEqual(['welcome'])
  })

  it.each(['nope', 'BAD!', 'a'.repeat(65)])('refuses %s with form_not_found before the handler', async (id) => {
    const { forms, reached } = app()
    const res = await forms.request(`/${id}/views`, { method: 'POST' })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: { code: 'form_not_found', message: `There is no form "${id}".` } })
    expect(reached).toEqual([])
  })
})
