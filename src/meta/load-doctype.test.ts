import { describe, expect, it } from 'vitest'
import { ValidationError } from '../errors/index.js'
import { InvalidDocTypeError, loadDocType } from './load-doctype.js'
import { createMetaRegistry } from './registry.js'

// Spec 7.1–7.3: Frappe-format definitions, validated when loaded.
function widget(fields: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { doctype: 'DocType', name: 'Widget', module: 'Testing', fields, permissions: [], ...extra }
}

function loadError(definition: unknown): InvalidDocTypeError {
  try {
    loadDocType(definition, 'testing')
  } catch (error) {
    if (error instanceof InvalidDocTypeError) return error
    throw error
  }
  throw new Error('the definition loaded')
}

describe('loadDocType', () => {
  it('reads a missing key as 0: a DocPerm without "write" grants no write', () => {
    const meta = loadDocType(widget([], { permissions: [{ role: 'Sales User', read: 1 }] }), 'testing')
    const [perm] = meta.permissions
    expect(perm).toEqual({ role: 'Sales User', read: 1 })
    expect(Boolean(perm?.write)).toBe(false)
  })

  it('reads a missing DocType flag as 0', () => {
    const meta = loadDocType(widget([]), 'testing')
    expect([meta.istable, meta.issingle, meta.isSubmittable, meta.isTree, meta.isVirtual, meta.custom, meta.trackChanges]).toEqual([
      false, false, false, false, false, false, false,
    ])
    expect(meta.module).toBe('Testing')
    expect(meta.autoname).toBe('')
  })

  it('orders fields by field_order, not by their place in "fields"', () => {
    const meta = loadDocType(
      widget(
        [
          { fieldname: 'price', fieldtype: 'Currency' },
          { fieldname: 'title', fieldtype: 'Data' },
          { fieldname: 'details_section', fieldtype: 'Section Break' },
        ],
        { field_order: ['title', 'details_section', 'price'] },
      ),
      'testing',
    )
    expect(meta.fields.map((field) => field.fieldname)).toEqual(['title', 'details_section', 'price'])
    expect(meta.columns.map(({ field, kind }) => `${field.fieldname}:${kind}`)).toEqual(['title:varchar', 'price:decimal'])
  })

  it('keeps fields missing from field_order, after the ordered ones', () => {
    const meta = loadDocType(
      widget([{ fieldname: 'a', fieldtype: 'Data' }, { fieldname: 'b', fieldtype: 'Data' }, { fieldname: 'c', fieldtype: 'Int' }], { field_order: ['c', 'a'] }),
      'testing',
    )
    expect(meta.fields.map((field) => field.fieldname)).toEqual(['c', 'a', 'b'])
  })

  it('accepts a fieldname that starts with a digit, as Frappe does (Journal Entry.2_add_edit_gl_entries)', () => {
    const meta = loadDocType(widget([{ fieldname: '2_add_edit_gl_entries', fieldtype: 'Section Break' }]), 'testing')
    expect(meta.fieldsByName.has('2_add_edit_gl_entries')).toBe(true)
  })

  it('lets a non-child DocType define a "parent" field (Custom DocPerm does)', () => {
    const meta = loadDocType(widget([{ fieldname: 'parent', fieldtype: 'Data' }]), 'testing')
    expect(meta.columns.map(({ field }) => field.fieldname)).toEqual(['parent'])
  })

  it.each([
    ['an unknown fieldtype', [{ fieldname: 'colour', fieldtype: 'Colour' }], 'DocType Widget, field colour: unknown fieldtype "Colour"'],
    ['a missing fieldtype', [{ fieldname: 'colour' }], 'DocType Widget, field colour: unknown fieldtype undefined'],
    ['a Link without options', [{ fieldname: 'customer', fieldtype: 'Link' }], 'DocType Widget, field customer: a Link field needs options'],
    ['a Dynamic Link without options', [{ fieldname: 'reference_name', fieldtype: 'Dynamic Link' }], 'DocType Widget, field reference_name: a Dynamic Link field needs options'],
    ['a Table without options', [{ fieldname: 'items', fieldtype: 'Table' }], 'DocType Widget, field items: a Table field needs options'],
    ['a Table MultiSelect without options', [{ fieldname: 'roles', fieldtype: 'Table MultiSelect' }], 'DocType Widget, field roles: a Table MultiSelect field needs options'],
    ['a duplicate fieldname', [{ fieldname: 'title', fieldtype: 'Data' }, { fieldname: 'title', fieldtype: 'Small Text' }], 'DocType Widget, field title: defined twice'],
    ['a fieldname with a space', [{ fieldname: 'first name', fieldtype: 'Data' }], 'DocType Widget, field first name: fieldname must be'],
    ['a fieldname with a hyphen', [{ fieldname: 'first-name', fieldtype: 'Data' }], 'DocType Widget, field first-name: fieldname must be'],
    ['a fieldname with a quote', [{ fieldname: 'x"y', fieldtype: 'Data' }], 'DocType Widget, field x"y: fieldname must be'],
    ['an empty fieldname', [{ fieldname: '', fieldtype: 'Data' }], 'DocType Widget, field #1: fieldname must be'],
    ['a fieldname longer than 64', [{ fieldname: 'f'.repeat(65), fieldtype: 'Data' }], `DocType Widget, field ${'f'.repeat(65)}: fieldname must be`],
    ['a field redefining name', [{ fieldname: 'name', fieldtype: 'Data' }], 'DocType Widget, field name: is a standard field and cannot be redefined'],
    ['a field redefining owner', [{ fieldname: 'owner', fieldtype: 'Link', options: 'User' }], 'DocType Widget, field owner: is a standard field'],
    ['a field redefining modified', [{ fieldname: 'modified', fieldtype: 'Datetime' }], 'DocType Widget, field modified: is a standard field'],
    ['a field redefining docstatus', [{ fieldname: 'docstatus', fieldtype: 'Int' }], 'DocType Widget, field docstatus: is a standard field'],
    ['a field redefining idx', [{ fieldname: 'idx', fieldtype: 'Int' }], 'DocType Widget, field idx: is a standard field'],
    ['a field redefining _assign', [{ fieldname: '_assign', fieldtype: 'Text' }], 'DocType Widget, field _assign: is a standard field'],
    ['a field that is not an object', ['title'], 'DocType Widget, field #1: not an object'],
  ])('refuses %s, naming the DocType and the field', (_case, fields, message) => {
    const error = loadError(widget(fields))
    expect(error.message).toContain(message)
    expect(error.doctype).toBe('Widget')
    expect(error).toBeInstanceOf(ValidationError) // a 417 on the wire
  })

  it('refuses a child table redefining parent, parentfield or parenttype', () => {
    for (const fieldname of ['parent', 'parentfield', 'parenttype']) {
      const error = loadError(widget([{ fieldname, fieldtype: 'Data' }], { istable: 1 }))
      expect(error.message).toBe(`DocType Widget, field ${fieldname}: is a standard field and cannot be redefined`)
      expect(error.fieldname).toBe(fieldname)
    }
  })

  it('refuses a definition without a valid name or fields list', () => {
    expect(loadError({ name: 'Bad/Name', fields: [] }).message).toContain('DocType Bad/Name: name must start with a letter')
    expect(loadError({ name: 'Widget' }).message).toBe('DocType Widget: fields must be a list')
    expect(loadError([]).message).toBe('DocType ?: definition must be a JSON object')
    expect(loadError(widget([], { permissions: [{ read: 1 }] })).message).toBe('DocType Widget: permission #1 needs a role')
  })
})

describe('createMetaRegistry', () => {
  const child = { name: 'Widget Part', module: 'Testing', istable: 1, fields: [{ fieldname: 'part', fieldtype: 'Data' }] }

  it('resolves a Table field to a child DocType defined in the same call', () => {
    const registry = createMetaRegistry()
    registry.define([
      { definition: widget([{ fieldname: 'parts', fieldtype: 'Table', options: 'Widget Part' }]), source: 'testing' },
      { definition: child, source: 'testing' },
    ])
    expect(registry.get('Widget').tableFields.map((field) => field.options)).toEqual(['Widget Part'])
    expect(registry.get('Widget Part').istable).toBe(true)
  })

  it('refuses a Table pointing at a missing DocType and defines nothing', () => {
    const registry = createMetaRegistry()
    expect(() =>
      registry.define([{ definition: widget([{ fieldname: 'parts', fieldtype: 'Table', options: 'Widget Part' }]), source: 'testing' }]),
    ).toThrow('DocType Widget, field parts: table DocType Widget Part is not defined')
    expect(registry.find('Widget')).toBeUndefined()
  })

  it('refuses a Table pointing at a DocType that is not a child table (istable)', () => {
    const registry = createMetaRegistry()
    registry.define([{ definition: { ...child, name: 'Gadget', istable: 0 }, source: 'testing' }])
    const version = registry.version
    expect(() =>
      registry.define([{ definition: widget([{ fieldname: 'gadgets', fieldtype: 'Table MultiSelect', options: 'Gadget' }]), source: 'testing' }]),
    ).toThrow('DocType Widget, field gadgets: Gadget is not a child table (istable)')
    expect(registry.find('Widget')).toBeUndefined()
    expect(registry.version).toBe(version)
  })

  it('keeps the earlier definitions when a later one in the same call is bad', () => {
    const registry = createMetaRegistry()
    expect(() =>
      registry.define([
        { definition: child, source: 'testing' },
        { definition: widget([{ fieldname: 'colour', fieldtype: 'Colour' }]), source: 'testing' },
      ]),
    ).toThrow('DocType Widget, field colour: unknown fieldtype "Colour"')
    expect(registry.all()).toEqual([])
  })
})
