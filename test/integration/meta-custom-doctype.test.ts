import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSites, type RunningServer } from '../../src/app/index.js'
import type { Site } from '../../src/context/index.js'
import { DoesNotExistError, PermissionError, ValidationError } from '../../src/errors/index.js'
import { InvalidDocTypeError, tableName } from '../../src/meta/index.js'
import { deleteDocument, getDocument, insertDocument, newDocument, saveDocument } from '../../src/model/index.js'
import { APPS_PATHS, basicAuth, createTestBench, runAs, silentLogger, type TestBench } from '../helpers/bench.js'

// Issue point 5: custom DocTypes (DocType documents with custom = 1) take effect at run time.
let bench: TestBench
let site: Site
let server: RunningServer
let counter = 0

function freshName(prefix: string): string {
  counter += 1
  return `${prefix} ${counter} ${Date.now().toString(36)}`
}

interface FieldSpec {
  readonly fieldname: string
  readonly fieldtype: string
  readonly [key: string]: unknown
}

function gadgetDefinition(name: string, fields: readonly FieldSpec[] = []): Record<string, unknown> {
  return {
    name,
    custom: 1,
    module: 'Custom',
    fields: [
      { fieldname: 'title', fieldtype: 'Data', label: 'Title', reqd: 1 },
      { fieldname: 'qty', fieldtype: 'Int', label: 'Quantity' },
      { fieldname: 'details_section', fieldtype: 'Section Break' },
      { fieldname: 'notes', fieldtype: 'Small Text', label: 'Notes' },
      ...fields,
    ],
    permissions: [{ role: 'System Manager', read: 1, write: 1, create: 1, delete: 1 }],
  }
}

async function columnsOf(target: Site, doctype: string): Promise<string[]> {
  const { database } = target.services
  return (await database.listColumns(database.reader, tableName(doctype))).map((column) => column.name)
}

async function storedDocTypeRows(target: Site, doctype: string): Promise<{ doctypes: number; fields: number; perms: number }> {
  const { reader } = target.services.database
  const count = async (table: string, column: string) => (await reader.selectFrom(table).select('name').where(column, '=', doctype).execute()).length
  return { doctypes: await count('tabDocType', 'name'), fields: await count('tabDocField', 'parent'), perms: await count('tabDocPerm', 'parent') }
}

async function insertCustomDocType(definition: Record<string, unknown>): Promise<void> {
  await runAs(site, () => insertDocument(newDocument('DocType', definition)))
}

beforeAll(async () => {
  bench = await createTestBench()
  site = await bench.newSite()
  server = await bench.startServer()
})

afterAll(async () => {
  await bench?.close()
})

describe('insertDocument of a custom DocType', () => {
  it('makes the DocType usable at once: its table, its metadata and its documents', async () => {
    const doctype = freshName('Gadget')
    await insertCustomDocType(gadgetDefinition(doctype))
    const meta = site.services.meta.get(doctype)
    expect(meta.custom).toBe(true)
    expect(meta.source).toBe('custom')
    expect(meta.fields.map((field) => field.fieldname)).toEqual(['title', 'qty', 'details_section', 'notes'])
    expect(meta.permissions).toEqual([expect.objectContaining({ role: 'System Manager', read: 1, write: 1, create: 1, delete: 1 })])
    expect((await columnsOf(site, doctype)).filter((column) => ['title', 'qty', 'notes', 'details_section'].includes(column)).sort()).toEqual(['notes', 'qty', 'title'])
    expect(await storedDocTypeRows(site, doctype)).toEqual({ doctypes: 1, fields: 4, perms: 1 })

    const name = await runAs(site, async () => String((await insertDocument(newDocument(doctype, { title: 'First', qty: '3', notes: 'kept' }))).name))
    const stored = await runAs(site, () => getDocument(doctype, name), { rollback: true })
    expect([stored.get('title'), stored.get('qty'), stored.get('notes'), stored.get('owner')]).toEqual(['First', 3, 'kept', 'Administrator'])
  })

  it('lets the same unit of work use the DocType it has just created', async () => {
    const doctype = freshName('Gadget')
    const title = await runAs(site, async () => {
      await insertDocument(newDocument('DocType', gadgetDefinition(doctype)))
      const doc = await insertDocument(newDocument(doctype, { title: 'Same request' }))
      return (await getDocument(doctype, String(doc.name))).get('title')
    })
    expect(title).toBe('Same request')
  })

  it('applies its permissions to other users', async () => {
    const doctype = freshName('Gadget')
    await insertCustomDocType(gadgetDefinition(doctype))
    const made = await runAs(site, async () => (await insertDocument(newDocument(doctype, { title: 'By a manager' }))).get('owner'), {
      user: 'manager@example.com',
      roles: ['System Manager', 'All'],
    })
    expect(made).toBe('manager@example.com')
    await expect(
      runAs(site, () => insertDocument(newDocument(doctype, { title: 'By a guest' })), { user: 'someone@example.com', roles: ['All'] }),
    ).rejects.toBeInstanceOf(PermissionError)
  })

  it('refuses an unknown fieldtype, naming the field, and leaves nothing behind', async () => {
    const doctype = freshName('Broken')
    const attempt = insertCustomDocType(gadgetDefinition(doctype, [{ fieldname: 'colour', fieldtype: 'Colour' }]))
    await expect(attempt).rejects.toBeInstanceOf(InvalidDocTypeError)
    await expect(attempt).rejects.toThrow(`DocType ${doctype}, field colour: unknown fieldtype "Colour"`)
    expect(site.services.meta.find(doctype)).toBeUndefined()
    expect(await columnsOf(site, doctype)).toEqual([])
    expect(await storedDocTypeRows(site, doctype)).toEqual({ doctypes: 0, fields: 0, perms: 0 })
  })

  it('refuses a Table field whose child DocType does not exist, and leaves nothing behind', async () => {
    const doctype = freshName('Broken')
    const attempt = insertCustomDocType(gadgetDefinition(doctype, [{ fieldname: 'parts', fieldtype: 'Table', options: 'No Such Part' }]))
    await expect(attempt).rejects.toThrow(`DocType ${doctype}, field parts: table DocType No Such Part is not defined`)
    expect(site.services.meta.find(doctype)).toBeUndefined()
    expect(await columnsOf(site, doctype)).toEqual([])
    expect(await storedDocTypeRows(site, doctype)).toEqual({ doctypes: 0, fields: 0, perms: 0 })
  })

  it('forgets the DocType and its table when the unit of work that made it rolls back', async () => {
    const doctype = freshName('Gadget')
    const attempt = runAs(site, async () => {
      await insertDocument(newDocument('DocType', gadgetDefinition(doctype)))
      await insertDocument(newDocument(doctype, { title: 'Doomed' }))
      throw new ValidationError('something later failed')
    })
    await expect(attempt).rejects.toThrow('something later failed')
    if (site.services.database.dialect === 'mariadb') {
      // MariaDB commits before and after DDL, so the DocType, made by then, stays (as in Frappe on
      // MariaDB); metadata in memory matches what the database kept.
      expect(site.services.meta.find(doctype)?.name).toBe(doctype)
      expect(await columnsOf(site, doctype)).toContain('title')
      expect(await storedDocTypeRows(site, doctype)).toMatchObject({ doctypes: 1 })
      return
    }
    expect(site.services.meta.find(doctype)).toBeUndefined()
    expect(await columnsOf(site, doctype)).toEqual([])
    expect(await storedDocTypeRows(site, doctype)).toEqual({ doctypes: 0, fields: 0, perms: 0 })
  })

  it('refuses a DocType document without custom = 1 at run time', async () => {
    const doctype = freshName('Standard')
    await expect(insertCustomDocType({ ...gadgetDefinition(doctype), custom: 0 })).rejects.toThrow('only custom DocTypes')
    expect(site.services.meta.find(doctype)).toBeUndefined()
  })

  it('refuses to redefine a DocType of an app', async () => {
    await expect(insertCustomDocType({ ...gadgetDefinition('ToDo') })).rejects.toThrow('ToDo is a standard DocType of app frappe')
    expect(site.services.meta.get('ToDo').source).toBe('frappe')
    expect(site.services.meta.get('ToDo').fieldsByName.has('qty')).toBe(false)
  })
})

describe('saveDocument of a custom DocType', () => {
  it('adds the column of a new field at once, keeping the rows', async () => {
    const doctype = freshName('Gadget')
    await insertCustomDocType(gadgetDefinition(doctype))
    const first = await runAs(site, async () => String((await insertDocument(newDocument(doctype, { title: 'Before', qty: 2 }))).name))

    await runAs(site, async () => {
      const definition = await getDocument('DocType', doctype)
      definition.append('fields', { fieldname: 'colour', fieldtype: 'Data', label: 'Colour' })
      await saveDocument(definition)
    })
    expect(await columnsOf(site, doctype)).toContain('colour')
    expect(site.services.meta.get(doctype).fieldsByName.get('colour')?.fieldtype).toBe('Data')
    expect(await storedDocTypeRows(site, doctype)).toEqual({ doctypes: 1, fields: 5, perms: 1 })

    const second = await runAs(site, async () => String((await insertDocument(newDocument(doctype, { title: 'After', colour: 'teal' }))).name))
    const [before, after] = await runAs(site, async () => [await getDocument(doctype, first), await getDocument(doctype, second)], { rollback: true })
    expect([before?.get('title'), before?.get('qty'), before?.get('colour')]).toEqual(['Before', 2, null])
    expect([after?.get('title'), after?.get('colour')]).toEqual(['After', 'teal'])
  })

  it('changes a column type at once when a field changes type, keeping the rows', async () => {
    const doctype = freshName('Gadget')
    await insertCustomDocType(gadgetDefinition(doctype))
    const name = await runAs(site, async () => String((await insertDocument(newDocument(doctype, { title: 'Typed', qty: 4, notes: 'stays' }))).name))
    await runAs(site, async () => {
      const definition = await getDocument('DocType', doctype)
      definition.getTable('fields').find((row) => row.get('fieldname') === 'qty')?.set('fieldtype', 'Float')
      await saveDocument(definition)
    })
    const { database } = site.services
    const qty = (await database.listColumns(database.reader, tableName(doctype))).find((column) => column.name === 'qty')
    expect(database.sameColumnType(qty?.type ?? '', database.columnType('decimal', undefined)), qty?.type).toBe(true) // decimal(21,9) on every engine
    const stored = await runAs(site, () => getDocument(doctype, name), { rollback: true })
    expect([stored.get('title'), stored.get('qty'), stored.get('notes')]).toEqual(['Typed', 4, 'stays'])
  })

  it('refuses a bad change, naming the field, and keeps the DocType as it was', async () => {
    const doctype = freshName('Gadget')
    await insertCustomDocType(gadgetDefinition(doctype))
    const attempt = runAs(site, async () => {
      const definition = await getDocument('DocType', doctype)
      definition.append('fields', { fieldname: 'title', fieldtype: 'Data' })
      await saveDocument(definition)
    })
    await expect(attempt).rejects.toThrow(`DocType ${doctype}, field title: defined twice`)
    expect(site.services.meta.get(doctype).fields.map((field) => field.fieldname)).toEqual(['title', 'qty', 'details_section', 'notes'])
    expect(await storedDocTypeRows(site, doctype)).toEqual({ doctypes: 1, fields: 4, perms: 1 })
  })
})

describe('deleteDocument of a custom DocType', () => {
  it('removes its metadata, its DocType record and its table', async () => {
    const doctype = freshName('Gadget')
    await insertCustomDocType(gadgetDefinition(doctype))
    await runAs(site, () => insertDocument(newDocument(doctype, { title: 'Soon gone' })))
    await runAs(site, () => deleteDocument('DocType', doctype))
    expect(site.services.meta.find(doctype)).toBeUndefined()
    expect(await storedDocTypeRows(site, doctype)).toEqual({ doctypes: 0, fields: 0, perms: 0 })
    expect(await columnsOf(site, doctype)).toEqual([])
    await expect(runAs(site, async () => newDocument(doctype, { title: 'x' }), { rollback: true })).rejects.toBeInstanceOf(DoesNotExistError)
  })
})

describe('custom DocTypes across processes', () => {
  it('are loaded by a second openSites on the same sites folder', async () => {
    const doctype = freshName('Gadget')
    await insertCustomDocType(gadgetDefinition(doctype, [{ fieldname: 'colour', fieldtype: 'Select', options: 'Red\nBlue' }]))
    const name = await runAs(site, async () => String((await insertDocument(newDocument(doctype, { title: 'Persisted', colour: 'Blue' }))).name))

    const other = await openSites({ sitesPath: join(bench.root, 'sites'), appsPath: APPS_PATHS.fixtures, logger: silentLogger })
    try {
      const reopened = await other.get(site.name)
      expect(reopened).not.toBe(site)
      const meta = reopened.services.meta.get(doctype)
      expect(meta.custom).toBe(true)
      expect(meta.fields.map((field) => `${field.fieldname}:${field.fieldtype}`)).toEqual([
        'title:Data', 'qty:Int', 'details_section:Section Break', 'notes:Small Text', 'colour:Select',
      ])
      expect(meta.fieldsByName.get('title')?.reqd).toBe(1)
      expect(meta.permissions).toEqual([expect.objectContaining({ role: 'System Manager', read: 1, write: 1, create: 1, delete: 1 })])
      const stored = await runAs(reopened, () => getDocument(doctype, name), { rollback: true })
      expect([stored.get('title'), stored.get('colour')]).toEqual(['Persisted', 'Blue'])
      const made = await runAs(reopened, async () => String((await insertDocument(newDocument(doctype, { title: 'From the other process' }))).name))
      expect(made).toBeTruthy()
    } finally {
      await other.close()
    }
  })
})

describe('POST /api/resource/DocType', () => {
  function call(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${server.url}/api/resource/${path}`, {
      method,
      headers: {
        Authorization: basicAuth('Administrator', 'admin'),
        'X-Frappe-Site-Name': site.name,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  }

  const path = (doctype: string, name?: string) => [doctype, name].filter((part) => part !== undefined).map(encodeURIComponent).join('/')

  it('creates a custom DocType whose documents can be inserted and read at once', async () => {
    const doctype = freshName('Widget')
    const created = await call('POST', 'DocType', gadgetDefinition(doctype))
    expect(created.status).toBe(200)
    const body = (await created.json()) as { data: { name: string; custom: number; fields: Array<{ fieldname: string; parent: string; idx: number }> } }
    expect(body.data.name).toBe(doctype)
    expect(body.data.custom).toBe(1)
    expect(body.data.fields.map((field) => [field.fieldname, field.parent, field.idx])).toEqual([
      ['title', doctype, 1], ['qty', doctype, 2], ['details_section', doctype, 3], ['notes', doctype, 4],
    ])

    const inserted = await call('POST', path(doctype), { title: 'Over the wire', qty: 5 })
    expect(inserted.status).toBe(200)
    const { data } = (await inserted.json()) as { data: { name: string } }
    const read = await call('GET', path(doctype, data.name))
    expect(read.status).toBe(200)
    expect((await read.json()) as unknown).toMatchObject({ data: { name: data.name, doctype, title: 'Over the wire', qty: 5, owner: 'Administrator' } })
  })

  it('answers 417 naming the field for an unknown fieldtype, and leaves nothing behind', async () => {
    const doctype = freshName('Widget')
    const refused = await call('POST', 'DocType', gadgetDefinition(doctype, [{ fieldname: 'colour', fieldtype: 'Colour' }]))
    expect(refused.status).toBe(417)
    const body = (await refused.json()) as { exc_type: string; exception: string; _server_messages: string }
    expect(body.exc_type).toBe('ValidationError')
    expect(body.exception).toBe(`frappe.exceptions.ValidationError: DocType ${doctype}, field colour: unknown fieldtype "Colour"`)
    expect(body._server_messages).toContain('field colour')
    expect(site.services.meta.find(doctype)).toBeUndefined()
    expect(await columnsOf(site, doctype)).toEqual([])
    expect((await call('GET', path('DocType', doctype))).status).toBe(404)
    expect((await call('POST', path(doctype), { title: 'x' })).status).toBe(404)
  })

  it('adds a column when PUT adds a field, and drops the DocType on DELETE', async () => {
    const doctype = freshName('Widget')
    expect((await call('POST', 'DocType', gadgetDefinition(doctype))).status).toBe(200)
    const current = (await (await call('GET', path('DocType', doctype))).json()) as { data: { fields: Array<Record<string, unknown>> } }
    const fields = [...current.data.fields, { fieldname: 'size', fieldtype: 'Float', label: 'Size' }]
    const updated = await call('PUT', path('DocType', doctype), { fields })
    expect(updated.status).toBe(200)
    expect(await columnsOf(site, doctype)).toContain('size')

    const inserted = await call('POST', path(doctype), { title: 'Sized', size: 2.5 })
    expect(inserted.status).toBe(200)
    const { data } = (await inserted.json()) as { data: { name: string; size: number } }
    expect(data.size).toBe(2.5)

    expect((await call('DELETE', path(doctype, data.name))).status).toBe(202)
    expect((await call('DELETE', path('DocType', doctype))).status).toBe(202)
    expect(site.services.meta.find(doctype)).toBeUndefined()
    expect((await call('GET', path(doctype, data.name))).status).toBe(404)
  })
})
