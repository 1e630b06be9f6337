import { describe, expect, it, vi } from 'vitest'
import type { PublicField } from '../../contract/definition'
import { matchesPattern, MAX_TEXT_LENGTH, validateField, validateValues } from '../../contract/validate'

const field = (type: PublicField['type'], extra: Partial<PublicField> = {}): PublicField => ({
  name: 'f',
  type,
  ...extra,
})

const options = [
  { label: 'Red', value: 'red' },
  { label: 'Blue', value: 'blue' },
]

describe('validateField', () => {
  describe('required', () => {
    it('fails an empty, blank, unchecked or empty-list value of a required field', () => {
      for (const value of [undefined, '', '   ', false, []]) {
        expect(validateField(field('text', { required: true }), value)).toBe('required')
      }
    })

    it('accepts an empty value of an optional field without checking its format', () => {
      expect(validateField(field('email'), '')).toBeNull()
      expect(validateField(field('date'), undefined)).toBeNull()
      expect(validateField(field('checkbox'), false)).toBeNull()
      expect(validateField(field('checkboxes', { options }), [])).toBeNull()
    })
  })

  describe('email', () => {
    it('accepts ordinary addresses', () => {
      for (const value of ['ana@example.com', 'a.b+tag@sub.example.co.uk', 'x_y@shop.io']) {
        expect(validateField(field('email'), value)).toBeNull()
      }
    })

    it('rejects addresses without an @, a domain, a dot-tld, or with spaces', () => {
      const bad = ['ana', 'ana@', '@example.com', 'ana@example', 'ana@example.c', 'a na@example.com', 'a@b@c.com']
      for (const value of bad) {
        expect(validateField(field('email'), value)).toBe('format')
      }
    })

    it('rejects addresses longer than 254 characters', () => {
      expect(validateField(field('email'), `${'a'.repeat(250)}@example.com`)).toBe('format')
    })
  })

  describe('tel', () => {
    it('accepts numbers with a plus, spaces, dashes and brackets', () => {
      for (const value of ['+44 20 7946 0958', '(020) 7946-0958', '385911234567']) {
        expect(validateField(field('tel'), value)).toBeNull()
      }
    })

    it('rejects letters, too few or too many digits', () => {
      for (const value of ['call me', '12345', '+1234567890123456', '12-34-ab']) {
        expect(validateField(field('tel'), value)).toBe('format')
      }
    })

    it('counts digits as they are stored: without an international 00', () => {
      // 15 digits after "00": a valid E.164 number written with the call prefix.
      expect(validateField(field('tel'), '00 385 91 123 4567 890')).toBeNull()
      expect(validateField(field('tel'), '00 12345')).toBe('format')
    })
  })

  describe('number', () => {
    it('accepts integers, negatives and decimals', () => {
      for (const value of ['0', '42', '-7', '3.14']) {
        expect(validateField(field('number'), value)).toBeNull()
      }
    })

    it('rejects words, exponents and stray dots', () => {
      for (const value of ['ten', '1e3', '1.', '.5', '1,5']) {
        expect(validateField(field('number'), value)).toBe('format')
      }
    })
  })

  describe('date', () => {
    it('accepts real ISO dates including a leap day', () => {
      expect(validateField(field('date'), '2024-02-29')).toBeNull()
      expect(validateField(field('date'), '1999-12-31')).toBeNull()
    })

    it('rejects impossible dates such as Feb 30 and Feb 29 of a common year', () => {
      for (const value of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-04-31', '2024-00-10']) {
        expect(validateField(field('date'), value)).toBe('format')
      }
    })

    it('rejects other date notations', () => {
      for (const value of ['01/02/2024', '2024-1-2', '2024-01-02T10:00']) {
        expect(validateField(field('date'), value)).toBe('format')
      }
    })
  })

  describe('datetime', () => {
    it('accepts datetime-local values with and without seconds', () => {
      for (const value of ['2024-05-01T09:30', '2024-05-01T23:59:59', '2024-05-01T00:00:00.123']) {
        expect(validateField(field('datetime'), value)).toBeNull()
      }
    })

    it('rejects impossible dates and times', () => {
      const bad = ['2024-02-30T10:00', '2024-05-01T24:00', '2024-05-01T10:60', '2024-05-01T10:00:60', '2024-05-01']
      for (const value of bad) {
        expect(validateField(field('datetime'), value)).toBe('format')
      }
    })
  })

  describe('select and radio', () => {
    it('accept only one of the offered values', () => {
      for (const type of ['select', 'radio'] as const) {
        expect(validateField(field(type, { options }), 'blue')).toBeNull()
        expect(validateField(field(type, { options }), 'green')).toBe('format')
        expect(validateField(field(type), 'blue')).toBe('format')
      }
    })
  })

  describe('checkbox', () => {
    it('accepts true or "true" and fails anything else', () => {
      expect(validateField(field('checkbox', { required: true }), true)).toBeNull()
      expect(validateField(field('checkbox'), 'true')).toBeNull()
      expect(validateField(field('checkbox'), 'yes')).toBe('format')
      expect(validateField(field('checkbox'), ['true'])).toBe('format')
    })
  })

  describe('checkboxes', () => {
    it('accepts a list of offered values', () => {
      expect(validateField(field('checkboxes', { options }), ['red', 'blue'])).toBeNull()
    })

    it('fails an unknown value or a value that is not a list', () => {
      expect(validateField(field('checkboxes', { options }), ['red', 'green'])).toBe('format')
      expect(validateField(field('checkboxes', { options }), 'red')).toBe('format')
    })
  })

  describe('kind of value', () => {
    it('fails a list or a boolean given to a text field', () => {
      expect(validateField(field('text'), ['a'])).toBe('format')
      expect(validateField(field('email'), true)).toBe('format')
    })
  })

  describe('maxLength', () => {
    it('fails values longer than the field allows', () => {
      expect(validateField(field('text', { maxLength: 5 }), 'abcde')).toBeNull()
      expect(validateField(field('text', { maxLength: 5 }), 'abcdef')).toBe('maxLength')
    })

    it('caps every text at MAX_TEXT_LENGTH, hidden values included', () => {
      expect(validateField(field('textarea'), 'a'.repeat(MAX_TEXT_LENGTH))).toBeNull()
      expect(validateField(field('textarea'), 'a'.repeat(MAX_TEXT_LENGTH + 1))).toBe('maxLength')
      expect(validateField(field('hidden'), 'a'.repeat(MAX_TEXT_LENGTH + 1))).toBe('maxLength')
    })
  })

  describe('pattern', () => {
    it('must match the whole value', () => {
      const zip = field('text', { pattern: '[0-9]{5}' })
      expect(validateField(zip, '10115')).toBeNull()
      expect(validateField(zip, '101150')).toBe('pattern')
      expect(validateField(zip, 'x10115')).toBe('pattern')
    })

    it('matchesPattern anchors alternatives as a whole', () => {
      expect(matchesPattern('a|b', 'a')).toBe(true)
      expect(matchesPattern('a|b', 'ab')).toBe(false)
    })

    it('lets people through when the pattern itself is broken', () => {
      expect(validateField(field('text', { pattern: '([' }), 'anything')).toBeNull()
    })
  })

  describe('forbiddenSymbols', () => {
    it('fails a value that contains any listed symbol', () => {
      const name = field('text', { forbiddenSymbols: ['<', '>', '$'] })
      expect(validateField(name, 'Ana')).toBeNull()
      expect(validateField(name, 'Ana <script>')).toBe('forbiddenSymbols')
      expect(validateField(name, 'A$AP')).toBe('forbiddenSymbols')
    })

    it('ignores an empty symbol instead of rejecting everything', () => {
      expect(validateField(field('text', { forbiddenSymbols: [''] }), 'Ana')).toBeNull()
    })
  })

  describe('min and max', () => {
    it('compare numbers numerically', () => {
      const age = field('number', { min: '18', max: '120' })
      expect(validateField(age, '18')).toBeNull()
      expect(validateField(age, '9')).toBe('min')
      expect(validateField(age, '121')).toBe('max')
      expect(validateField(age, '100')).toBeNull()
    })

    it('compare dates and date-times chronologically', () => {
      const day = field('date', { min: '2024-01-01', max: '2024-12-31' })
      expect(validateField(day, '2024-01-01')).toBeNull()
      expect(validateField(day, '2023-12-31')).toBe('min')
      expect(validateField(day, '2025-01-01')).toBe('max')
      const slot = field('datetime', { min: '2024-05-01T09:00', max: '2024-05-01T17:00' })
      expect(validateField(slot, '2024-05-01T08:59')).toBe('min')
      expect(validateField(slot, '2024-05-01T17:01')).toBe('max')
      expect(validateField(slot, '2024-05-01T12:00:30')).toBeNull()
    })

    it('compare a date with a date-time bound by day', () => {
      expect(validateField(field('date', { min: '2024-05-01T09:00' }), '2024-05-01')).toBeNull()
      expect(validateField(field('date', { min: '2024-05-01T09:00' }), '2024-04-30')).toBe('min')
    })

    it('do not apply to text fields', () => {
      expect(validateField(field('text', { min: 'm' }), 'apple')).toBeNull()
    })
  })

  it('checks format before pattern, symbols and bounds', () => {
    const f = field('number', { pattern: '\\d+', min: '5', forbiddenSymbols: ['x'] })
    expect(validateField(f, 'x')).toBe('format')
  })
})

describe('validateValues', () => {
  it('returns every failing field with its rule, in form order, and skips content fields', () => {
    const fields: PublicField[] = [
      { name: 'heading', type: 'title', text: 'Join us', required: true },
      { name: 'email', type: 'email', required: true },
      { name: 'age', type: 'number', min: '18' },
      { name: 'city', type: 'text' },
    ]
    expect(validateValues(fields, { email: 'nope', age: '12', city: 'Split' })).toEqual([
      { field: fields[1], rule: 'format' },
      { field: fields[2], rule: 'min' },
    ])
    expect(validateValues(fields, { email: 'a@b.co' })).toEqual([])
  })
})

describe('the shared value rules of the public edge', () => {
  it('checks emails as the upstreams do', () => {
    const good = [
      'ana@example.com',
      "o'neil+tag@mail.example.co.uk",
      'x@xn--p1ai.xn--p1ai',
      `${'a'.repeat(64)}@example.com`,
    ]
    for (const value of good) {
      expect(validateField(field('email'), value)).toBeNull()
    }
    const bad = [
      'ana@example..com',
      '.ana@example.com',
      'ana.@example.com',
      'a..na@example.com',
      'ana@-example.com',
      'ana@example-.com',
      'ana@example.c',
      'ana@example.123',
      'ana@example.com.',
      'žana@example.com',
      `${'a'.repeat(65)}@example.com`,
    ]
    for (const value of bad) {
      expect([value, validateField(field('email'), value)]).toEqual([value, 'format'])
    }
  })

  it('refuses control and format characters in every text, a lone surrogate included', () => {
    for (const value of ['a\u0000b', 'a\u0007', 'a\u202Eb', 'a\uD800', 'a\uDC00b', 'a\u00ADb', 'a\nb']) {
      expect(validateField(field('text'), value)).toBe('characters')
      expect(validateField(field('hidden'), value)).toBe('characters')
    }
    expect(validateField(field('email'), 'ana\u0000@example.com')).toBe('characters')
  })

  it('keeps joiners, astral characters and the line breaks of a textarea', () => {
    expect(validateField(field('text'), 'می\u200Cخواهم 👩\u200D💻 𝒜')).toBeNull()
    expect(validateField(field('textarea'), 'one\r\ntwo\tthree')).toBeNull()
    expect(validateField(field('textarea'), 'one\u0000')).toBe('characters')
  })

  it('measures a value as it is stored: trimmed', () => {
    expect(validateField(field('text', { maxLength: 3 }), '  abc  ')).toBeNull()
    expect(validateField(field('text', { pattern: '[a-z]+' }), ' abc ')).toBeNull()
  })

  it('runs patterns on the injected engine when there is one', () => {
    const pattern = vi.fn(() => false)
    expect(validateField(field('text', { pattern: 'x' }), 'x', pattern)).toBe('pattern')
    expect(pattern).toHaveBeenCalledWith('x', 'x')
    expect(validateValues([field('text', { pattern: 'x' })], { f: 'x' }, pattern)).toHaveLength(1)
  })
})
