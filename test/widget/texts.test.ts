import { describe, expect, it } from 'vitest'
import { createTranslate, EN } from '../../contract/texts'

describe('createTranslate', () => {
  it('returns the English text by id', () => {
    expect(createTranslate()('submit')).toBe('Sign up')
    expect(createTranslate()('alert.rateLimited')).toBe(EN['alert.rateLimited'])
  })

  it('prefers an override by the same id and ignores non-string overrides', () => {
    const t = createTranslate({ submit: 'Get 10% off', 'status.enrolled': 42 })
    expect(t('submit')).toBe('Get 10% off')
    expect(t('status.enrolled')).toBe('Thanks for signing up!')
  })

  it('fills {placeholders} and leaves unknown ones visible', () => {
    const t = createTranslate({ 'error.maxLength': 'Max {max} signs, {who}' })
    expect(t('error.maxLength', { max: 5 })).toBe('Max 5 signs, {who}')
    expect(createTranslate()('error.min', { min: '2024-01-01' })).toBe('The minimum is 2024-01-01.')
  })
})
