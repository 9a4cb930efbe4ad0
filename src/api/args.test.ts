import { describe, expect, it } from 'vitest'
import { countArg, flagArg, jsonArg, listArg, objectArg, safeCopy, textArg } from './args.js'

describe('whitelisted function arguments', () => {
  it('reads JSON text and native values alike', () => {
    expect(jsonArg({ f: '["a"]' }, 'f')).toEqual(['a'])
    expect(jsonArg({ f: ['a'] }, 'f')).toEqual(['a'])
    expect(jsonArg({ f: 'plain name' }, 'f')).toBe('plain name')
    expect(objectArg({ doc: '{"doctype":"ToDo"}' }, 'doc')).toEqual({ doctype: 'ToDo' })
    expect(listArg({ docs: '[1]' }, 'docs')).toEqual([1])
    expect(flagArg({ as_dict: 'false' }, 'as_dict', true)).toBe(false)
    expect(countArg({ limit: '5' }, 'limit', 0)).toBe(5)
  })

  it('answers a wrong type with FrappeTypeError', () => {
    expect(() => textArg({ doctype: ['ToDo'] }, 'doctype')).toThrow(expect.objectContaining({ code: 'FrappeTypeError' }))
    expect(() => textArg({}, 'doctype')).toThrow('Missing argument: doctype')
    expect(() => objectArg({ doc: '[1]' }, 'doc')).toThrow('doc must be an object, not a list')
    expect(() => listArg({ docs: { a: 1 } }, 'docs')).toThrow('docs must be a list, not an object')
    expect(() => jsonArg({ f: '{oops' }, 'f')).toThrow('f must be valid JSON')
    expect(() => countArg({ limit: '-1' }, 'limit', 0)).toThrow('limit must be a non-negative integer')
    expect(() => flagArg({ merge: {} }, 'merge', false)).toThrow(expect.objectContaining({ code: 'FrappeTypeError' }))
  })

  it('drops prototype keys at every depth', () => {
    const hostile = JSON.parse('{"a": 1, "__proto__": {"x": 1}, "rows": [{"constructor": {"prototype": {}}, "b": 2}]}') as Record<string, unknown>
    const copy = safeCopy(hostile)
    expect(copy).toEqual({ a: 1, rows: [{ b: 2 }] })
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
  })
})
