import { describe, expect, it } from 'vitest'
import { bodyDepthError } from './json-body.js'

const nested = (depth: number): unknown => {
  let value: unknown = 1
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { a: value }
  return value
}

describe('bodyDepthError', () => {
  it('accepts bodies up to the limit and refuses deeper ones', () => {
    expect(bodyDepthError(nested(32))).toBeUndefined()
    expect(bodyDepthError(nested(33))?.message).toBe('The request body is nested more than 32 levels deep')
    expect(bodyDepthError({ doctype: 'Sales Order', items: [{ item_name: 'x' }] })).toBeUndefined()
  })

  it('walks a very deep body without overflowing the stack', () => {
    expect(bodyDepthError(nested(200_000))).toBeDefined()
  })
})
