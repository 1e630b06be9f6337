import { describe, expect, it } from 'vitest'
import { createTranslate, EN } from '../../contract/texts'

describe('createTranslate', () => {
  it('returns the text by id from the table it is given', () => {
    expect(createTranslate(EN)('submit')).toBe('Sign up')
    expect(createTranslate(EN)('alert.rateLimited')).toBe(EN['alert.rateLimited'])
  })

  it('shows the id for a missing or non-string text (the bundle carries no English table)', () => {
    const t = createTranslate({ submit: 'Get 10% off', 'status.enrolled': 42 })
    expect(t('submit')).toBe('Get 10% off')
    expect(t('status.enrolled')).toBe('status.enrolled')
    expect(createTranslate()('close')).toBe('close')
  })

  it('fills {placeholders} and leaves unknown ones visible', () => {
    const t = createTranslate({ 'error.maxLength': 'Max {max} signs, {who}' })
    expect(t('error.maxLength', { max: 5 })).toBe('Max 5 signs, {who}')
    expect(createTranslate(EN)('error.min', { min: '2024-01-01' })).toBe('The minimum is 2024-01-01.')
  })
})
