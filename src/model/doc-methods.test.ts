import { describe, expect, it } from 'vitest'
import { loadDocType } from '../meta/index.js'
import { callDocMethod, findDocMethod, whitelistDocMethods } from './doc-methods.js'
import { Document } from './document.js'

const meta = loadDocType({ name: 'Gadget', module: 'Core', fields: [{ fieldname: 'title', fieldtype: 'Data' }] }, 'test')

class Gadget extends Document {
  static readonly whitelistedMethods = whitelistDocMethods<Gadget>({
    shout: { run: (doc, args) => `${String(doc.get('title')).toUpperCase()}${String(args.suffix ?? '')}` },
    reset: { methods: ['POST'], run: (doc) => doc.set('title', '') },
  })

  secret(): string {
    return 'not for clients'
  }
}

describe('whitelisted document methods', () => {
  const doc = new Gadget(meta, { title: 'lamp' })

  it('finds declared methods and the built-ins, nothing else', () => {
    expect(findDocMethod(doc, 'shout')).toBeDefined()
    for (const name of ['submit', 'cancel', 'rename']) expect(findDocMethod(doc, name)).toBeDefined()
    for (const name of ['secret', 'validate', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(findDocMethod(doc, name)).toBeUndefined()
    expect(findDocMethod(new Document(meta), 'shout')).toBeUndefined()
  })

  it('runs a method with the request arguments', async () => {
    await expect(callDocMethod(doc, 'shout', { suffix: '!' }, 'GET')).resolves.toBe('LAMP!')
  })

  it('refuses a method not whitelisted, or a verb it does not allow, with PermissionError', async () => {
    await expect(callDocMethod(doc, 'secret', {}, 'POST')).rejects.toMatchObject({ code: 'PermissionError' })
    await expect(callDocMethod(doc, 'reset', {}, 'GET')).rejects.toMatchObject({ code: 'PermissionError' })
    await expect(callDocMethod(doc, 'shout', {}, 'PATCH')).rejects.toMatchObject({ code: 'PermissionError' })
  })
})
