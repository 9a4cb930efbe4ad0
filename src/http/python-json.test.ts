import { describe, expect, it } from 'vitest'
import { pythonJson } from './python-json.js'

describe('pythonJson', () => {
  it("uses Python's separators and escapes non-ASCII as json.dumps does", () => {
    expect(pythonJson({ message: 'Café', raise_exception: 1 })).toBe('{"message": "Caf\\u00e9", "raise_exception": 1}')
    expect(pythonJson(['a', 'b'])).toBe('["a", "b"]')
  })

  it('round-trips through JSON.parse the way frappe-ui decodes _server_messages', () => {
    const encoded = pythonJson([pythonJson({ message: 'x "quoted"', title: 'Message' })])
    const [inner] = JSON.parse(encoded) as string[]
    expect(JSON.parse(inner ?? '')).toEqual({ message: 'x "quoted"', title: 'Message' })
  })
})
