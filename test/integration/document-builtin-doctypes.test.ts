import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { database } from '../../src/db/index.js'
import { MandatoryError } from '../../src/errors/index.js'
import { getDocument, insertDocument, newDocument, type DocValues } from '../../src/model/index.js'
import { runAs, type TestBench } from '../helpers/bench.js'
import { fresh, insertCustomer, lifecycleBench } from '../helpers/lifecycle-app.js'

let bench: TestBench
let site: Site

beforeAll(async () => {
  ;({ bench, site } = await lifecycleBench())
})
afterAll(async () => {
  await bench.close()
})

function names(doctype: string): Promise<string[]> {
  return runAs(site, async () =>
    (await database().selectFrom(`tab${doctype}`).select('name').execute()).map((row) =>
      String(row.name),
    ),
  )
}

function storedRow(doctype: string, name: string): Promise<Record<string, unknown>> {
  return runAs(site, () =>
    database()
      .selectFrom(`tab${doctype}`)
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirstOrThrow(),
  )
}

async function insertAndRead(doctype: string, values: DocValues): Promise<Record<string, unknown>> {
  const doc = await runAs(site, () => insertDocument(newDocument(doctype, values)))
  return storedRow(doctype, String(doc.name))
}

describe('a fresh site', () => {
  it('has the standard roles as Role records', async () => {
    expect(await names('Role')).toEqual(
      expect.arrayContaining(['Administrator', 'System Manager', 'All', 'Guest']),
    )
  })

  it('has the modules of the frappe app and of each installed app as Module Def records', async () => {
    const modules = await names('Module Def')
    expect(modules).toEqual(
      expect.arrayContaining(['Core', 'Desk', 'Custom', 'Website', 'Email', 'Lifecycle Test']),
    )
    expect((await storedRow('Module Def', 'Core')).app_name).toBe('frappe')
    expect((await storedRow('Module Def', 'Lifecycle Test')).app_name).toBe('lifecycle_test')
  })

  it('has the users Administrator and Guest with their roles', async () => {
    expect(await names('User')).toEqual(expect.arrayContaining(['Administrator', 'Guest']))
    const administrator = await runAs(site, () => getDocument('User', 'Administrator'))
    expect(administrator.getTable('roles').map((row) => row.get('role'))).toEqual([
      'Administrator',
      'System Manager',
    ])
    const guest = await runAs(site, () => getDocument('User', 'Guest'))
    expect(guest.getTable('roles').map((row) => row.get('role'))).toEqual(['Guest'])
  })

  it('has a DocType record, with its fields, for every loaded DocType', async () => {
    const loaded = site.services.meta.all().map((meta) => meta.name)
    expect((await names('DocType')).sort()).toEqual([...loaded].sort())
    expect(loaded).toEqual(
      expect.arrayContaining(['DocType', 'User', 'ToDo', 'LT Order', 'LT Order Item']),
    )
    const order = await runAs(site, () => getDocument('DocType', 'LT Order'))
    expect(order.get('module')).toBe('Lifecycle Test')
    expect(order.get('is_submittable')).toBe(1)
    expect(order.getTable('fields').map((row) => row.get('fieldname'))).toEqual(
      site.services.meta.get('LT Order').fields.map((field) => field.fieldname),
    )
  })
})

describe('built-in DocTypes accept inserts with their Frappe fieldnames', () => {
  it('ToDo: description, allocated_to, status defaulting to Open', async () => {
    const row = await insertAndRead('ToDo', {
      description: 'Write tests',
      allocated_to: 'Administrator',
      date: '2030-05-06',
    })
    expect(row).toMatchObject({
      description: 'Write tests',
      allocated_to: 'Administrator',
      status: 'Open',
      priority: 'Medium',
      date: '2030-05-06',
    })
    expect(String(row.name)).toMatch(/^[0-9a-v]{10}$/)
  })

  it('Note, with a Note Seen By row', async () => {
    const title = fresh('Note')
    const note = await runAs(site, () =>
      insertDocument(
        newDocument('Note', {
          title,
          content: '<p>hello</p>',
          public: 1,
          seen_by: [{ user: 'Administrator' }],
        }),
      ),
    )
    const stored = await runAs(site, () => getDocument('Note', String(note.name)))
    expect([stored.get('title'), stored.get('content'), stored.get('public')]).toEqual([
      title,
      '<p>hello</p>',
      1,
    ])
    expect(stored.getTable('seen_by').map((row) => row.get('user'))).toEqual(['Administrator'])
  })

  it('Comment on a document', async () => {
    const todo = await insertAndRead('ToDo', { description: 'commented' })
    const row = await insertAndRead('Comment', {
      comment_type: 'Comment',
      reference_doctype: 'ToDo',
      reference_name: todo.name,
      content: 'Looks good',
      comment_email: 'admin@example.com',
    })
    expect(row).toMatchObject({
      comment_type: 'Comment',
      reference_doctype: 'ToDo',
      reference_name: todo.name,
      content: 'Looks good',
    })
  })

  it('File', async () => {
    // A File names stored bytes; Frappe refuses one whose bytes are missing (issue #3).
    mkdirSync(join(site.path, 'private', 'files'), { recursive: true })
    writeFileSync(join(site.path, 'private', 'files', 'report.pdf'), Buffer.alloc(2048))
    const row = await insertAndRead('File', {
      file_name: 'report.pdf',
      file_url: '/private/files/report.pdf',
      is_private: 1,
      file_size: 2048,
    })
    expect(row).toMatchObject({
      file_name: 'report.pdf',
      file_url: '/private/files/report.pdf',
      is_private: 1,
      file_size: 2048,
    })
  })

  it('Version', async () => {
    const data = JSON.stringify({
      changed: [['status', 'Open', 'Closed']],
      added: [],
      removed: [],
      row_changed: [],
    })
    const row = await insertAndRead('Version', { ref_doctype: 'ToDo', docname: 'abc', data })
    expect(row).toMatchObject({ ref_doctype: 'ToDo', docname: 'abc', data })
  })

  it('Error Log', async () => {
    const row = await insertAndRead('Error Log', {
      method: 'demo.api.fail',
      error: 'Traceback …',
      reference_doctype: 'ToDo',
    })
    expect(row).toMatchObject({
      method: 'demo.api.fail',
      error: 'Traceback …',
      reference_doctype: 'ToDo',
      seen: 0,
    })
  })

  it('User Permission', async () => {
    const customer = String((await runAs(site, () => insertCustomer())).name)
    const row = await insertAndRead('User Permission', {
      user: 'Guest',
      allow: 'LT Customer',
      for_value: customer,
    })
    expect(row).toMatchObject({
      user: 'Guest',
      allow: 'LT Customer',
      for_value: customer,
      apply_to_all_doctypes: 1,
      is_default: 0,
    })
  })

  it('DocShare', async () => {
    const todo = await insertAndRead('ToDo', { description: 'shared' })
    const row = await insertAndRead('DocShare', {
      user: 'Guest',
      share_doctype: 'ToDo',
      share_name: todo.name,
      read: 1,
    })
    expect(row).toMatchObject({
      user: 'Guest',
      share_doctype: 'ToDo',
      share_name: todo.name,
      read: 1,
      write: 0,
      notify_by_email: 1,
    })
  })

  it('Role', async () => {
    const roleName = fresh('Role')
    const row = await insertAndRead('Role', { role_name: roleName })
    expect(row).toMatchObject({ name: roleName, role_name: roleName, desk_access: 1, disabled: 0 })
  })

  it('User with Has Role and DefaultValue rows', async () => {
    const role = String((await insertAndRead('Role', { role_name: fresh('Clerk') })).name)
    const email = `${fresh('clerk').replace(' ', '')}@example.com`
    await runAs(site, () =>
      insertDocument(
        newDocument('User', {
          email,
          first_name: 'Clerk',
          roles: [{ role }],
          defaults: [{ defkey: 'company', defvalue: 'Acme' }],
        }),
      ),
    )
    const user = await runAs(site, () => getDocument('User', email))
    expect(
      user
        .getTable('roles')
        .map((row) => [row.get('role'), row.get('parenttype'), row.get('parentfield')]),
    ).toEqual([[role, 'User', 'roles']])
    expect(
      user
        .getTable('defaults')
        .map((row) => [row.get('defkey'), row.get('defvalue'), row.get('parentfield')]),
    ).toEqual([['company', 'Acme', 'defaults']])
  })
})

describe('customizations', () => {
  it('adds a Custom Field to the metadata and the table at once', async () => {
    const note = await runAs(site, async () => {
      await insertDocument(
        newDocument('Custom Field', {
          dt: 'LT Hash Note',
          fieldname: 'region',
          label: 'Region',
          fieldtype: 'Data',
          insert_after: 'title',
        }),
      )
      const meta = site.services.meta.get('LT Hash Note')
      expect(meta.fields.map((field) => field.fieldname)).toEqual(['title', 'region'])
      expect(meta.fieldsByName.get('region')).toMatchObject({
        fieldtype: 'Data',
        label: 'Region',
        is_custom_field: 1,
      })
      return insertDocument(newDocument('LT Hash Note', { title: 'customized', region: 'North' })) // same unit of work
    })
    expect((await storedRow('LT Hash Note', String(note.name))).region).toBe('North')
    expect((await storedRow('Custom Field', 'LT Hash Note-region')).dt).toBe('LT Hash Note')
  })

  it('changes a field property with a Property Setter at once', async () => {
    expect(site.services.meta.get('LT Counter Log').fieldsByName.get('title')?.reqd).toBeFalsy()
    await runAs(site, () =>
      insertDocument(
        newDocument('Property Setter', {
          doctype_or_field: 'DocField',
          doc_type: 'LT Counter Log',
          field_name: 'title',
          property: 'reqd',
          property_type: 'Check',
          value: '1',
        }),
      ),
    )
    expect(site.services.meta.get('LT Counter Log').fieldsByName.get('title')?.reqd).toBe(1)
    const attempt = runAs(site, () => insertDocument(newDocument('LT Counter Log', {})))
    await expect(attempt).rejects.toThrow(MandatoryError)
    await expect(attempt).rejects.toThrow(': title')
  })
})
