import { describe, expect, it } from 'vitest'
import { FORM_ID, FORM_ID_PATTERN, isFormId } from '../../contract/definition'

describe('the form-id pattern', () => {
  it('takes lower-case letters, digits and dashes, 1 to 64 of them', () => {
    for (const id of ['welcome', 'a', 'newsletter-2026', 'x'.repeat(64)]) {
      expect(isFormId(id)).toBe(true)
    }
    for (const id of ['', 'Welcome', 'wel come', 'welcome/1', '../x', 'x'.repeat(65), 42, undefined]) {
      expect(isFormId(id)).toBe(false)
    }
  })

  it('is one pattern: the regular expression is its anchored source', () => {
    expect(FORM_ID.source).toBe(`^${FORM_ID_PATTERN}$`)
    expect(FORM_ID_PATTERN).toBe('[a-z0-9-]{1,64}')
  })
})
