import type { FrappeApp } from 'frappe-js-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCustomer, createOrder, startDemoServer, type DemoServer } from '../helpers/demo-server.js'

type Row = Record<string, unknown>

/** frappe-js-sdk's db() against the demo app, with token auth (issue #3, points 1–2). */
describe('frappe-js-sdk db() over token auth', () => {
  let demo: DemoServer
  let app: FrappeApp
  const tag = Date.now().toString(36)
  const customers = [`Ada ${tag}`, `Bea ${tag}`, `Cy ${tag}`]

  beforeAll(async () => {
    demo = await startDemoServer()
    app = demo.sdk(await demo.apiToken('Administrator'))
    for (const [index, name] of customers.entries()) {
      await createCustomer(demo, { customer_name: name, credit_limit: (index + 1) * 1000, customer_type: index === 2 ? 'Individual' : 'Company' })
    }
  })
  afterAll(() => demo.close())

  it('lists with filters, or_filters, order and limit', async () => {
    const rows = await app.db().getDocList<Row>('Customer', {
      fields: ['name', 'credit_limit'],
      filters: [['name', 'like', `%${tag}`]],
      orFilters: [['credit_limit', '>=', 3000], ['customer_type', '=', 'Company']],
      orderBy: { field: 'credit_limit', order: 'desc' },
      limit: 2,
    })
    expect(rows).toEqual([
      { name: customers[2], credit_limit: 3000 },
      { name: customers[1], credit_limit: 2000 },
    ])
  })

  it('lists rows as arrays with asDict false', async () => {
    const rows = await app.db().getDocList('Customer', {
      fields: ['name', 'customer_type'],
      filters: [['name', '=', customers[2] ?? '']],
      asDict: false,
    })
    expect(rows).toEqual([[customers[2], 'Individual']])
  })

  it('creates, reads, updates and deletes a document', async () => {
    const created = await app.db().createDoc<Row>('Customer', { customer_name: `Dee ${tag}`, credit_limit: 10, doctype: 'Ignored', owner: 'someone@else.com' })
    expect(created).toMatchObject({ name: `Dee ${tag}`, doctype: 'Customer', owner: 'Administrator', credit_limit: 10 })
    expect(Object.values(created)).not.toContain(null) // nulls omitted, as Frappe omits them
    const read = await app.db().getDoc<Row>('Customer', `Dee ${tag}`)
    expect(read.credit_limit).toBe(10)
    const updated = await app.db().updateDoc<Row>('Customer', `Dee ${tag}`, { credit_limit: 20 })
    expect(updated.credit_limit).toBe(20)
    const deleted = await app.db().deleteDoc('Customer', `Dee ${tag}`)
    expect(deleted).toMatchObject({ data: 'ok' })
    await expect(app.db().getDoc('Customer', `Dee ${tag}`)).rejects.toMatchObject({ httpStatus: 404, exception: expect.stringContaining('DoesNotExistError') })
  })

  it('counts with filters', async () => {
    expect(await app.db().getCount('Customer', [['name', 'like', `%${tag}`]])).toBe(3)
    expect(await app.db().getCount('Customer', [['name', 'like', `%${tag}`], ['customer_type', '=', 'Individual']])).toBe(1)
  })

  it('reads values as an object, a scalar or a list', async () => {
    const asObject = await app.db().getValue('Customer', ['credit_limit', 'customer_type'], [['name', '=', customers[0] ?? '']])
    expect(asObject).toEqual({ message: { credit_limit: 1000, customer_type: 'Company' } })
    const scalar = await app.db().getValue('Customer', 'credit_limit', [['name', '=', customers[1] ?? '']], false)
    expect(scalar).toEqual({ message: 2000 })
    const missing = await app.db().getValue('Customer', 'credit_limit', [['name', '=', 'nobody']], false)
    expect(missing).toEqual({})
    expect(await app.db().getValue('Customer', 'name', [['name', '=', 'nobody']])).toEqual({ message: {} })
  })

  it('sets values by field and by object, and refuses standard fields', async () => {
    const name = customers[0] ?? ''
    const one = (await app.db().setValue('Customer', name, 'credit_limit', 1500)) as { message: Row }
    expect(one.message).toMatchObject({ name, credit_limit: 1500, doctype: 'Customer' })
    expect(one.message).toHaveProperty('last_order_date', null) // frappe.client returns as_dict() with nulls
    const many = (await app.db().setValue('Customer', name, { credit_limit: 1000, email_id: 'ADA@Example.com' })) as { message: Row }
    expect(many.message).toMatchObject({ credit_limit: 1000, email_id: 'ada@example.com' })
    await expect(app.db().setValue('Customer', name, 'owner', 'x@y.com')).rejects.toMatchObject({ httpStatus: 417 })
    await expect(app.db().setValue('Customer', name, { owner: 'x@y.com' })).rejects.toMatchObject({ httpStatus: 417 })
  })

  it('submits and cancels a Sales Order', async () => {
    const draft = await createOrder(demo, customers[1] ?? '', [{ item_name: 'Mug', qty: 2, rate: 5 }])
    const submitted = (await app.db().submit(draft)) as Row
    expect(submitted).toMatchObject({ name: draft.name, docstatus: 1, status: 'To Deliver', grand_total: 10 })
    const cancelled = (await app.db().cancel('Sales Order', String(draft.name))) as { message: Row }
    expect(cancelled.message).toMatchObject({ docstatus: 2, status: 'Cancelled' })
  })

  it('refuses to submit a stale copy with TimestampMismatchError', async () => {
    const draft = await createOrder(demo, customers[1] ?? '', [{ item_name: 'Cup', qty: 1, rate: 3 }])
    await app.db().updateDoc('Sales Order', String(draft.name), { remarks: 'changed meanwhile' })
    await expect(app.db().submit(draft)).rejects.toMatchObject({ httpStatus: 417, exc_type: 'TimestampMismatchError' })
  })

  it('renames a document', async () => {
    await createCustomer(demo, { customer_name: `Eve ${tag}` })
    const renamed = await app.db().renameDoc('Customer', `Eve ${tag}`, `Eva ${tag}`)
    expect(renamed).toEqual({ message: `Eva ${tag}` })
    expect(await app.db().getDoc<Row>('Customer', `Eva ${tag}`)).toMatchObject({ name: `Eva ${tag}` })
  })

  it('reads a Single DocType value', async () => {
    const definition = {
      name: `Shop Settings ${tag}`, module: 'Selling', custom: 1, issingle: 1,
      fields: [{ fieldname: 'shop_name', fieldtype: 'Data', label: 'Shop Name' }, { fieldname: 'opening_hour', fieldtype: 'Int', label: 'Opening Hour' }],
      permissions: [{ role: 'System Manager', read: 1, write: 1 }],
    }
    const created = await demo.request('POST', '/api/resource/DocType', { headers: demo.admin, body: definition })
    expect(created.status).toBe(200)
    await demo.request('PUT', `/api/resource/${encodeURIComponent(definition.name)}/${encodeURIComponent(definition.name)}`, {
      headers: demo.admin,
      body: { shop_name: 'Corner Shop', opening_hour: 9 },
    })
    expect(await app.db().getSingleValue(definition.name, 'opening_hour')).toEqual({ message: 9 })
    expect(await app.db().getValue(definition.name, 'shop_name')).toEqual({ message: { shop_name: 'Corner Shop' } })
  })
})

describe('frappe-js-sdk call() over Basic auth', () => {
  let demo: DemoServer
  let app: FrappeApp

  beforeAll(async () => {
    demo = await startDemoServer()
    app = demo.sdkBasic('Administrator', 'admin')
  })
  afterAll(() => demo.close())

  it('sends GET, POST, PUT and DELETE to whitelisted functions', async () => {
    const name = `Call ${Date.now().toString(36)}`
    const inserted = (await app.call().post('frappe.client.insert', { doc: { doctype: 'Customer', customer_name: name } })) as { message: Row }
    expect(inserted.message).toMatchObject({ name, doctype: 'Customer' })
    const read = (await app.call().get('frappe.client.get', { doctype: 'Customer', name })) as { message: Row }
    expect(read.message).toMatchObject({ name, email_id: null })
    const updated = (await app.call().put('frappe.client.set_value', { doctype: 'Customer', name, fieldname: 'credit_limit', value: 7 })) as { message: Row }
    expect(updated.message.credit_limit).toBe(7)
    expect(await app.call().delete('frappe.client.delete', { doctype: 'Customer', name })).toEqual({})
    const count = (await app.call().get('frappe.client.get_count', { doctype: 'Customer', filters: { name } })) as { message: number }
    expect(count.message).toBe(0)
  })

  it('refuses a verb the function does not allow with 403', async () => {
    await expect(app.call().get('frappe.client.insert', { doc: { doctype: 'Customer', customer_name: 'Nope' } })).rejects.toMatchObject({ httpStatus: 403, exc_type: 'PermissionError' })
  })
})
