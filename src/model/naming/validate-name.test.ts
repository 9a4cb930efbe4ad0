import { describe, expect, it } from 'vitest'
import { NameError, ValidationError } from '../../errors/index.js'
import { validateName } from './validate-name.js'

describe('validateName', () => {
  it('trims the name', () => {
    expect(validateName('Note', '  My note ', false)).toBe('My note')
  })

  it('rejects < and >', () => {
    expect(() => validateName('Note', 'a<b', false)).toThrow(NameError)
    expect(() => validateName('Note', 'a>b', false)).toThrow(
      "Name cannot contain special characters like '<', '>'",
    )
  })

  it('rejects the DocType name except for Singles', () => {
    expect(() => validateName('Note', 'Note', false)).toThrow('Name of Note cannot be Note')
    expect(validateName('System Settings', 'System Settings', true)).toBe('System Settings')
    expect(validateName('DocType', 'DocType', false)).toBe('DocType')
  })

  it('rejects desk placeholders and empty names', () => {
    expect(() => validateName('Note', 'New Note 1', false)).toThrow(NameError)
    expect(() => validateName('Note', '   ', false)).toThrow(ValidationError)
  })
})
