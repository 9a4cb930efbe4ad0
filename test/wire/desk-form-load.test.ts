import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inTransaction } from '../../src/db/index.js'
import { runAs } from '../helpers/bench.js'
import { createCustomer, freshEmail, startDemoServer, type DemoServer } from '../helpers/demo-server.js'

type Row = Record<string, unknown>

let demo: DemoServer
const tag = Date.now().toString(36)

beforeAll(async () => {
  demo = await startDemoServer()
})
afterAll(() => demo.close())

/** Inserts a document as Administrator over the REST API; returns it. */
async function insert(doctype: string, values: Row): Promise<Row> {
  const response = await demo.request('POST', `/api/resource/${encodeURIComponent(doctype)}`, { headers: demo.admin, body: values })
  if (response.status !== 200) throw new Error(`inserting ${doctype}: ${response.status} ${response.text}`)
  return (response.body as { data: Row }).data
}

async function docinfoOf(customer: string, headers = demo.admin): Promise<Row> {
  const query = new URLSearchParams({ doctype: 'Customer', name: customer })
  const response = await demo.request('GET', `/api/method/frappe.desk.form.load.getdoc?${query.toString()}`, { headers })
  expect(response.status).toBe(200)
  return (response.body as { docinfo: Row }).docinfo
}

// Issue 3: the docinfo of Frappe v15's `frappe.desk.form.load.get_docinfo`, with its key names and row shapes.
describe('frappe.desk.form.load.getdoc docinfo', () => {
  it('lists the document\'s shares, open assignments, comments, attachments and tags', async () => {
    const customer = await createCustomer(demo, { customer_name: `Docinfo ${tag}` })
    const email = freshEmail('docinfo')
    await demo.createUser(email, ['Sales User'])
    const share = await insert('DocShare', { user: email, share_doctype: 'Customer', share_name: customer, read: 1, write: 1 })
    const open = await insert('ToDo', { description: 'Call back', allocated_to: email, reference_type: 'Customer', reference_name: customer })
    await insert('ToDo', { description: 'Done already', allocated_to: email, reference_type: 'Customer', reference_name: customer, status: 'Closed' })
    await insert('ToDo', { description: 'Dropped', allocated_to: email, reference_type: 'Customer', reference_name: customer, status: 'Cancelled' })
    const other = await createCustomer(demo, { customer_name: `Other ${tag}` })
    await insert('ToDo', { description: 'Another customer', allocated_to: email, reference_type: 'Customer', reference_name: other })
    const comment = await insert('Comment', { comment_type: 'Comment', reference_doctype: 'Customer', reference_name: customer, content: '<p>Good payer</p>' })
    const like = await insert('Comment', { comment_type: 'Like', reference_doctype: 'Customer', reference_name: customer, content: 'Liked' })
    const attached = await demo.request('POST', '/api/method/frappe.client.attach_file', {
      headers: demo.admin,
      body: { filename: `terms-${tag}.txt`, filedata: 'Terms', doctype: 'Customer', docname: customer },
    })
    const file = (attached.body as { message: Row }).message
    await runAs(demo.site, () => inTransaction((tx) => tx.updateTable('tabCustomer').set({ _user_tags: ',vip,north' }).where('name', '=', customer).execute()))

    const info = await docinfoOf(customer)
    expect(info.shared).toEqual([
      { name: share.name, user: email, read: 1, write: 1, submit: 0, share: 0, everyone: 0, owner: 'Administrator', creation: share.creation },
    ])
    expect(info.assignments).toEqual([{ name: open.name, owner: email, description: 'Call back', status: 'Open' }])
    expect(info.comments).toEqual([
      { name: comment.name, creation: comment.creation, content: '<p>Good payer</p>', owner: 'Administrator', comment_type: 'Comment' },
    ])
    expect(info.like_logs).toEqual([{ name: like.name, creation: like.creation, content: 'Liked', owner: 'Administrator', comment_type: 'Like' }])
    expect(info.total_comments).toBe(1)
    expect(info.communications).toEqual([])
    expect(info.tags).toBe('vip,north')
    expect(info.attachments).toEqual([{ name: file.name, file_name: `terms-${tag}.txt`, file_url: file.file_url, is_private: 0 }])
    expect(info.user_info).toMatchObject({
      Administrator: { name: 'Administrator', fullname: expect.any(String) },
      [email]: { name: email, email, fullname: expect.stringContaining('docinfo') },
    })
    expect(info).toMatchObject({ doctype: 'Customer', name: customer, permissions: { read: 1 }, versions: [], assignment_logs: [], info_logs: [] })
  })

  it('gives a document without any of them empty lists and no tags', async () => {
    const customer = await createCustomer(demo, { customer_name: `Bare ${tag}` })
    const info = await docinfoOf(customer)
    expect(info).toMatchObject({ shared: [], assignments: [], comments: [], attachments: [], communications: [], tags: '', total_comments: 0, user_info: {} })
  })
})
