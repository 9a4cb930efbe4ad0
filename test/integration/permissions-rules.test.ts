import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newContext, type Site } from '../../src/context/index.js'
import {
  deleteDocument,
  getDocPermissions,
  getDocument,
  hasPermission,
  insertDocument,
  newDocument,
  permittedFieldnames,
  saveDocument,
} from '../../src/model/index.js'
import { APPS_PATHS, createTestBench, runAs, silentLogger, type TestBench } from '../helpers/bench.js'
import { addUserPermission, createUser, insertAsAdmin, share } from '../helpers/permission-users.js'

let bench: TestBench
let site: Site

beforeAll(async () => {
  bench = await createTestBench({ apps: ['perm_test'], appsPath: APPS_PATHS.fixtures })
  site = await bench.newSite()
})
afterAll(() => bench.close())

let counter = 0
const fresh = (prefix: string): string => `${prefix} ${++counter}`
const ctxFor = (user: string, roles: string[]) => newContext({ site, user, roles, logger: silentLogger })
const load = (doctype: string, name: string) => runAs(site, () => getDocument(doctype, name))

describe('Custom DocPerm (spec 7.1)', () => {
  it('replaces the JSON permissions while any row exists, and restores them when the last goes', async () => {
    const meta = site.services.meta.get('Perm Matrix')
    const reader = ctxFor('custom@perm.test', ['Matrix Read'])
    expect(await hasPermission(reader, meta, 'read')).toBe(true)
    const rule = await insertAsAdmin(site, 'Custom DocPerm', { parent: 'Perm Matrix', role: 'Matrix Read', read: 0, write: 1 })
    expect(await hasPermission(reader, meta, 'read')).toBe(false)
    expect(await hasPermission(reader, meta, 'write')).toBe(true)
    // Every other JSON rule is gone too: only the custom rows count.
    expect(await hasPermission(ctxFor('creator@perm.test', ['Matrix Create']), meta, 'create')).toBe(false)
    await runAs(site, () => deleteDocument('Custom DocPerm', rule))
    expect(await hasPermission(reader, meta, 'read')).toBe(true)
    expect(await hasPermission(reader, meta, 'write')).toBe(false)
  })

  it('forgets a rule whose transaction rolled back', async () => {
    const meta = site.services.meta.get('Perm Matrix')
    const reader = ctxFor('rollback@perm.test', ['Matrix Print'])
    await runAs(
      site,
      async () => {
        await insertDocument(newDocument('Custom DocPerm', { parent: 'Perm Matrix', role: 'Matrix Print', read: 1 }))
        expect(await hasPermission(reader, meta, 'read')).toBe(true)
      },
      { rollback: true },
    )
    expect(await hasPermission(reader, meta, 'read')).toBe(false)
  })
})

describe('User Permissions on documents (spec 9.2)', () => {
  it('limits documents of the restricted DocType to the allowed names', async () => {
    const allowed = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Allowed') })
    const other = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Other') })
    const user = await createUser(site, [], 'up-self')
    await addUserPermission(site, user, 'Perm Customer', allowed)
    const ctx = ctxFor(user, ['Perm User'])
    const meta = site.services.meta.get('Perm Customer')
    expect(await hasPermission(ctx, meta, 'read', await load('Perm Customer', allowed))).toBe(true)
    expect(await hasPermission(ctx, meta, 'read', await load('Perm Customer', other))).toBe(false)
    expect((await getDocPermissions(ctx, await load('Perm Customer', other))).read).toBe(0)
  })

  it('checks Link fields in the document and its rows, skipping ignore_user_permissions fields and empty values', async () => {
    const allowed = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Mine') })
    const other = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Theirs') })
    const user = await createUser(site, [], 'up-links')
    await addUserPermission(site, user, 'Perm Customer', allowed)
    const ctx = ctxFor(user, ['Perm User'])
    const meta = site.services.meta.get('Perm Order')
    const order = async (values: Record<string, unknown>) => load('Perm Order', await insertAsAdmin(site, 'Perm Order', values))
    expect(await hasPermission(ctx, meta, 'read', await order({ customer: allowed }))).toBe(true)
    expect(await hasPermission(ctx, meta, 'read', await order({ customer: other }))).toBe(false)
    expect(await hasPermission(ctx, meta, 'read', await order({}))).toBe(true)
    expect(await hasPermission(ctx, meta, 'read', await order({ customer: allowed, reference_customer: other }))).toBe(true)
    expect(await hasPermission(ctx, meta, 'read', await order({ customer: allowed, items: [{ item_name: 'x', customer: other }] }))).toBe(false)
  })

  it('applies a rule to one DocType when it is not for all DocTypes', async () => {
    const allowed = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Scoped') })
    const other = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Unscoped') })
    const user = await createUser(site, [], 'up-scoped')
    await addUserPermission(site, user, 'Perm Customer', allowed, { applicableFor: 'Perm Order' })
    const ctx = ctxFor(user, ['Perm User'])
    const orderOfOther = await load('Perm Order', await insertAsAdmin(site, 'Perm Order', { customer: other }))
    expect(await hasPermission(ctx, site.services.meta.get('Perm Order'), 'read', orderOfOther)).toBe(false)
    // The rule does not apply to Perm Customer itself.
    expect(await hasPermission(ctx, site.services.meta.get('Perm Customer'), 'read', await load('Perm Customer', other))).toBe(true)
  })

  it('includes the descendants of a tree value unless the rule hides them', async () => {
    const root = await insertAsAdmin(site, 'Perm Territory', { territory_name: fresh('Region'), is_group: 1 })
    const child = await insertAsAdmin(site, 'Perm Territory', { territory_name: fresh('City'), parent_perm_territory: root })
    const sibling = await insertAsAdmin(site, 'Perm Territory', { territory_name: fresh('Elsewhere') })
    const customer = async (territory: string) => load('Perm Customer', await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('T'), territory }))
    const meta = site.services.meta.get('Perm Customer')
    const treeUser = await createUser(site, [], 'tree')
    await addUserPermission(site, treeUser, 'Perm Territory', root)
    const ctx = ctxFor(treeUser, ['Perm User'])
    expect(await hasPermission(ctx, meta, 'read', await customer(child))).toBe(true)
    expect(await hasPermission(ctx, meta, 'read', await customer(sibling))).toBe(false)
    const hiddenUser = await createUser(site, [], 'hidden')
    await addUserPermission(site, hiddenUser, 'Perm Territory', root, { hideDescendants: true })
    const hidden = ctxFor(hiddenUser, ['Perm User'])
    expect(await hasPermission(hidden, meta, 'read', await customer(child))).toBe(false)
    expect(await hasPermission(hidden, meta, 'read', await customer(root))).toBe(true)
  })

  it('leaves an owner only the if_owner rights on a document the rules exclude', async () => {
    const allowed = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Included') })
    const user = await createUser(site, [], 'up-owner')
    await addUserPermission(site, user, 'Perm Customer', allowed)
    const roles = ['Perm Owner']
    const own = await runAs(site, async () => String((await insertDocument(newDocument('Perm Customer', { customer_name: fresh('Owned') }))).name), { user, roles })
    const ctx = ctxFor(user, roles)
    const rights = await getDocPermissions(ctx, await load('Perm Customer', own))
    expect([rights.read, rights.write, rights.delete, rights.create, rights.report]).toEqual([1, 1, 1, 0, 0])
    const foreign = await getDocPermissions(ctx, await load('Perm Customer', await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Foreign') })))
    expect([foreign.read, foreign.write]).toEqual([0, 0])
  })

  it('refuses to move a document out of the rules by changing its Link', async () => {
    const allowed = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Stay') })
    const other = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Away') })
    const user = await createUser(site, [], 'up-move')
    await addUserPermission(site, user, 'Perm Customer', allowed)
    const name = await insertAsAdmin(site, 'Perm Order', { customer: allowed })
    await runAs(site, async () => {
      const doc = await getDocument('Perm Order', name)
      doc.set('customer', other)
      await expect(saveDocument(doc)).rejects.toThrow('No permission to write Perm Order')
    }, { user, roles: ['Perm User'], rollback: true })
  })

  it('refuses a new document linking outside the rules, and defaults a Link from the only rule', async () => {
    const allowed = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Default') })
    const other = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Not Mine') })
    const user = await createUser(site, [], 'up-new')
    await addUserPermission(site, user, 'Perm Customer', allowed)
    await expect(runAs(site, () => insertDocument(newDocument('Perm Order', { customer: other })), { user, roles: ['Perm User'] })).rejects.toThrow('No permission to create Perm Order')
    const doc = await runAs(site, () => insertDocument(newDocument('Perm Order', { title: 'defaulted' })), { user, roles: ['Perm User'] })
    expect(doc.get('customer')).toBe(allowed)
  })

  it('defaults a Link from the is_default rule among several', async () => {
    const first = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('First') })
    const preferred = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Preferred') })
    const user = await createUser(site, [], 'up-default')
    await addUserPermission(site, user, 'Perm Customer', first)
    await addUserPermission(site, user, 'Perm Customer', await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Second') }))
    const undecided = await runAs(site, () => insertDocument(newDocument('Perm Order', { title: 'two rules' })), { user, roles: ['Perm User'] })
    expect(undecided.get('customer')).toBeUndefined()
    await addUserPermission(site, user, 'Perm Customer', preferred, { isDefault: true })
    const doc = await runAs(site, () => insertDocument(newDocument('Perm Order', { title: 'default rule' })), { user, roles: ['Perm User'] })
    expect(doc.get('customer')).toBe(preferred)
  })

  it('refuses a second default rule for the same DocType', async () => {
    const user = await createUser(site, [], 'up-two-defaults')
    await addUserPermission(site, user, 'Perm Customer', await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('D1') }), { isDefault: true })
    const second = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('D2') })
    await expect(addUserPermission(site, user, 'Perm Customer', second, { isDefault: true })).rejects.toThrow('already sets the default')
  })

  it('never restricts Administrator', async () => {
    await addUserPermission(site, 'Administrator', 'Perm Customer', await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Admin Only') }))
    const other = await load('Perm Customer', await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Admin Other') }))
    expect(await hasPermission(ctxFor('Administrator', ['Administrator']), other.meta, 'read', other)).toBe(true)
  })
})

describe('shares (spec 9.2)', () => {
  it('grants the shared right on one document to the user, or to everyone but Guest', async () => {
    const meta = site.services.meta.get('Perm Matrix')
    const doc = await load('Perm Matrix', await insertAsAdmin(site, 'Perm Matrix', { title: 'shared' }))
    const unshared = await load('Perm Matrix', await insertAsAdmin(site, 'Perm Matrix', { title: 'unshared' }))
    const carolName = await createUser(site, [], 'carol')
    const carol = ctxFor(carolName, ['All'])
    expect(await hasPermission(carol, meta, 'read')).toBe(false)
    await share(site, 'Perm Matrix', String(doc.name), carolName, { read: 1 })
    expect(await hasPermission(carol, meta, 'read')).toBe(true) // any share opens the DocType
    expect(await hasPermission(carol, meta, 'read', doc)).toBe(true)
    expect(await hasPermission(carol, meta, 'print', doc)).toBe(true) // print follows read
    expect(await hasPermission(carol, meta, 'write', doc)).toBe(false)
    expect(await hasPermission(carol, meta, 'delete', doc)).toBe(false) // never shareable
    expect(await hasPermission(carol, meta, 'read', unshared)).toBe(false)
    await share(site, 'Perm Matrix', String(unshared.name), undefined, { read: 1, write: 1 })
    expect(await hasPermission(ctxFor('dave@perm.test', ['All']), meta, 'write', unshared)).toBe(true)
    expect(await hasPermission(ctxFor('Guest', ['Guest']), meta, 'read', unshared)).toBe(false)
  })

  it('goes with a deleted document, so a new one of the same name is not shared', async () => {
    const name = fresh('Shared Customer')
    await insertAsAdmin(site, 'Perm Customer', { customer_name: name })
    const user = await createUser(site, [], 'sharee')
    await share(site, 'Perm Customer', name, user)
    await runAs(site, () => deleteDocument('Perm Customer', name))
    const reborn = await load('Perm Customer', await insertAsAdmin(site, 'Perm Customer', { customer_name: name }))
    expect(await hasPermission(ctxFor(user, ['All']), reborn.meta, 'read', reborn)).toBe(false)
  })

  it('lets a write share save a document the roles cannot write', async () => {
    const name = await insertAsAdmin(site, 'Perm Matrix', { title: 'before' })
    const writer = await createUser(site, [], 'writer')
    await share(site, 'Perm Matrix', name, writer, { read: 1, write: 1 })
    await runAs(site, async () => {
      const doc = await getDocument('Perm Matrix', name)
      doc.set('title', 'after')
      await saveDocument(doc)
    }, { user: writer, roles: ['All'] })
    expect((await load('Perm Matrix', name)).get('title')).toBe('after')
  })
})

describe('field permlevels (spec 9.1)', () => {
  it('lists the fields each role may read and write', () => {
    const meta = site.services.meta.get('Perm Customer')
    const user = ctxFor('fields@perm.test', ['Perm User'])
    expect(permittedFieldnames(user, meta, 'read')).toEqual(['customer_name', 'territory'])
    expect(permittedFieldnames(ctxFor('mgr@perm.test', ['Perm Manager']), meta, 'write')).toEqual(['customer_name', 'territory', 'credit_limit'])
    expect(permittedFieldnames(ctxFor('aud@perm.test', ['Perm Auditor']), meta, 'read')).toEqual(['customer_name', 'territory', 'credit_limit'])
    expect(permittedFieldnames(ctxFor('Administrator', []), meta, 'write')).toEqual(['customer_name', 'territory', 'credit_limit', 'internal_rating'])
    const item = site.services.meta.get('Perm Order Item')
    expect(permittedFieldnames(user, item, 'read', site.services.meta.get('Perm Order'))).toEqual(['item_name', 'customer'])
  })

  it('keeps stored values of fields the user cannot write, and defaults them on insert', async () => {
    const name = fresh('Levels')
    await runAs(site, () => insertDocument(newDocument('Perm Customer', { customer_name: name, credit_limit: 500, internal_rating: 'A' })), { user: 'lv@perm.test', roles: ['Perm User'] })
    expect((await load('Perm Customer', name)).get('credit_limit')).toBe(0)
    await runAs(site, async () => {
      const doc = await getDocument('Perm Customer', name)
      doc.set('credit_limit', 100)
      doc.set('internal_rating', 'B')
      await saveDocument(doc)
    }, { user: 'mgr@perm.test', roles: ['Perm Manager'] })
    await runAs(site, async () => {
      const doc = await getDocument('Perm Customer', name)
      doc.update({ credit_limit: 999999, internal_rating: 'Z', territory: null })
      await saveDocument(doc)
    }, { user: 'lv@perm.test', roles: ['Perm User'] })
    const stored = await load('Perm Customer', name)
    expect([stored.get('credit_limit'), stored.get('internal_rating')]).toEqual([100, null])
  })

  it('keeps stored child values at a permlevel the parent rules do not let the user write', async () => {
    const name = await insertAsAdmin(site, 'Perm Order', { title: 'rows', items: [{ item_name: 'a', cost: 10 }] })
    await runAs(site, async () => {
      const doc = await getDocument('Perm Order', name)
      const [row] = doc.getTable('items')
      row?.set('cost', 1)
      row?.set('item_name', 'b')
      doc.append('items', { item_name: 'c', cost: 5 })
      await saveDocument(doc)
    }, { user: 'rows@perm.test', roles: ['Perm User'] })
    const rows = (await load('Perm Order', name)).getTable('items').map((row) => [row.get('item_name'), row.get('cost')])
    expect(rows).toEqual([['b', 10], ['c', 0]])
  })
})

describe('child DocTypes (spec 9.4)', () => {
  it('answers for a child row through its parent document', async () => {
    const allowed = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Child Ok') })
    const other = await insertAsAdmin(site, 'Perm Customer', { customer_name: fresh('Child No') })
    const childUser = await createUser(site, [], 'child')
    await addUserPermission(site, childUser, 'Perm Customer', allowed)
    const ctx = ctxFor(childUser, ['Perm User'])
    const item = site.services.meta.get('Perm Order Item')
    const rowOf = async (customer: string) => {
      const order = await load('Perm Order', await insertAsAdmin(site, 'Perm Order', { customer, items: [{ item_name: 'i' }] }))
      return order.getTable('items')[0]
    }
    const mine = await rowOf(allowed)
    const theirs = await rowOf(other)
    expect(await hasPermission(ctx, item, 'read', mine)).toBe(true)
    expect(await hasPermission(ctx, item, 'read', theirs)).toBe(false)
    expect(await hasPermission(ctx, item, 'read')).toBe(false) // no parent, no right
    expect(await hasPermission(ctxFor('x@perm.test', ['All']), item, 'read', mine)).toBe(false)
  })
})

describe('strict User Permissions (spec 9.2)', () => {
  it('refuses empty Links when the site applies strict user permissions', async () => {
    const strictSite = await bench.newSite(undefined, { apply_strict_user_permissions: 1 })
    const allowed = await insertAsAdmin(strictSite, 'Perm Customer', { customer_name: 'Strict Allowed' })
    const user = await createUser(strictSite, [], 'strict')
    await addUserPermission(strictSite, user, 'Perm Customer', allowed, { applicableFor: 'Perm Customer' })
    await addUserPermission(strictSite, user, 'Perm Customer', allowed, { applicableFor: 'Perm Order' })
    const empty = await runAs(strictSite, async () => getDocument('Perm Order', await insertAsAdmin(strictSite, 'Perm Order', { title: 'no customer' })))
    const ctx = newContext({ site: strictSite, user, roles: ['Perm User'], logger: silentLogger })
    expect(await hasPermission(ctx, empty.meta, 'read', empty)).toBe(false)
    expect(await hasPermission(ctxFor(user, ['Perm User']), empty.meta, 'read', empty)).toBe(true) // the lenient site
  })
})
