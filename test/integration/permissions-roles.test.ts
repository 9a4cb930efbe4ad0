import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newContext, type Site } from '../../src/context/index.js'
import { PermissionError } from '../../src/errors/index.js'
import {
  RIGHTS,
  canExport,
  canImport,
  deleteDocument,
  getDocPermissions,
  getDocument,
  hasPermission,
  insertDocument,
  newDocument,
  saveDocument,
  type PermissionType,
} from '../../src/model/index.js'
import { APPS_PATHS, createTestBench, runAs, silentLogger, type TestBench } from '../helpers/bench.js'
import { insertAsAdmin } from '../helpers/permission-users.js'

const title = (right: string): string => `Matrix ${right.charAt(0).toUpperCase()}${right.slice(1)}`

describe('hasPermission by role (spec 9.1)', () => {
  let bench: TestBench
  let site: Site
  let matrixDoc: string

  beforeAll(async () => {
    bench = await createTestBench({ apps: ['perm_test'], appsPath: APPS_PATHS.fixtures })
    site = await bench.newSite()
    matrixDoc = await insertAsAdmin(site, 'Perm Matrix', { title: 'one' })
  })
  afterAll(() => bench.close())

  const ctxFor = (user: string, roles: string[]) => newContext({ site, user, roles, logger: silentLogger })

  it('grants each right only to the role whose DocPerm has it, on the DocType and on a document', async () => {
    const meta = site.services.meta.get('Perm Matrix')
    const doc = await runAs(site, () => getDocument('Perm Matrix', matrixDoc))
    for (const granted of RIGHTS) {
      const ctx = ctxFor(`matrix-${granted}@perm.test`, [title(granted), 'All'])
      const rights = await getDocPermissions(ctx, doc)
      for (const ptype of RIGHTS) {
        const expected = ptype === granted || (ptype === 'select' && granted === 'read')
        expect([granted, ptype, await hasPermission(ctx, meta, ptype)]).toEqual([granted, ptype, expected])
        expect([granted, ptype, await hasPermission(ctx, meta, ptype, doc)]).toEqual([granted, ptype, expected])
        expect([granted, ptype, rights[ptype]]).toEqual([granted, ptype, ptype === granted ? 1 : 0])
      }
    }
  })

  it('gives Administrator every right and Guest none', async () => {
    const meta = site.services.meta.get('Perm Matrix')
    const admin = ctxFor('Administrator', ['Administrator'])
    const guest = ctxFor('Guest', ['Guest'])
    for (const ptype of RIGHTS) {
      expect(await hasPermission(admin, meta, ptype)).toBe(true)
      expect(await hasPermission(guest, meta, ptype)).toBe(false)
    }
  })

  it('gives System Manager only what its DocPerms say, with no bypass', async () => {
    const manager = ctxFor('manager@perm.test', ['System Manager', 'All'])
    const matrix = site.services.meta.get('Perm Matrix')
    expect(await hasPermission(manager, matrix, 'delete')).toBe(true)
    expect(await hasPermission(manager, matrix, 'select')).toBe(true) // through read
    const customer = site.services.meta.get('Perm Customer')
    expect(await hasPermission(manager, customer, 'submit')).toBe(false) // not submittable
    expect(await hasPermission(manager, customer, 'import')).toBe(false) // not importable
    expect(await hasPermission(manager, customer, 'amend')).toBe(false) // no DocPerm grants it
    // Frappe's can_import / can_export: System Manager may import and export any DocType.
    expect([canImport(manager, customer), canExport(manager, customer)]).toEqual([true, true])
    const reader = ctxFor('reader@perm.test', ['Matrix Read'])
    expect([canImport(reader, matrix), canExport(reader, matrix)]).toEqual([false, false])
    const porter = ctxFor('porter@perm.test', ['Matrix Import', 'Matrix Export'])
    expect([canImport(porter, matrix), canExport(porter, matrix)]).toEqual([true, true])
  })

  it('counts submit only on submittable DocTypes and import only on importable ones', async () => {
    const user = ctxFor('submitter@perm.test', ['Perm User'])
    expect(await hasPermission(user, site.services.meta.get('Perm Order'), 'submit')).toBe(true)
    expect(await hasPermission(user, site.services.meta.get('Perm Customer'), 'submit')).toBe(false)
  })

  it('enforces create, write, submit, cancel, amend and delete in the document lifecycle', async () => {
    const asRole = <T>(roles: string[], fn: () => Promise<T>) => runAs(site, fn, { user: `life-${roles.join('-')}@perm.test`, roles })
    const denied = (roles: string[], fn: () => Promise<unknown>) => expect(asRole(roles, fn)).rejects.toBeInstanceOf(PermissionError)

    await denied([title('read')], () => insertDocument(newDocument('Perm Matrix', { title: 'no create' })))
    const created = await asRole([title('create')], async () => String((await insertDocument(newDocument('Perm Matrix', { title: 'made' }))).name))
    await denied([title('read')], async () => {
      const doc = await getDocument('Perm Matrix', created)
      doc.set('title', 'changed')
      await saveDocument(doc)
    })
    await asRole([title('write')], async () => {
      const doc = await getDocument('Perm Matrix', created)
      doc.set('title', 'changed')
      await saveDocument(doc)
    })
    await denied([title('write')], async () => {
      const doc = await getDocument('Perm Matrix', created)
      doc.set('docstatus', 1)
      await saveDocument(doc)
    })
    await asRole([title('write'), title('submit')], async () => {
      const doc = await getDocument('Perm Matrix', created)
      doc.set('docstatus', 1)
      await saveDocument(doc)
    })
    await denied([title('write'), title('submit')], async () => {
      const doc = await getDocument('Perm Matrix', created)
      doc.set('docstatus', 2)
      await saveDocument(doc)
    })
    await asRole([title('write'), title('cancel')], async () => {
      const doc = await getDocument('Perm Matrix', created)
      doc.set('docstatus', 2)
      await saveDocument(doc)
    })
    await denied([title('create')], () => insertDocument(newDocument('Perm Matrix', { title: 'amended', amended_from: created })))
    await asRole([title('create'), title('amend')], () => insertDocument(newDocument('Perm Matrix', { title: 'amended', amended_from: created })))
    const draft = await insertAsAdmin(site, 'Perm Matrix', { title: 'to delete' })
    await denied([title('write')], () => deleteDocument('Perm Matrix', draft))
    await asRole([title('delete')], () => deleteDocument('Perm Matrix', draft))
  })
})

describe('if_owner rules (spec 9.1)', () => {
  let bench: TestBench
  let site: Site

  beforeAll(async () => {
    bench = await createTestBench({ apps: ['perm_test'], appsPath: APPS_PATHS.fixtures })
    site = await bench.newSite()
  })
  afterAll(() => bench.close())

  const asOwnerRole = <T>(user: string, fn: () => Promise<T>) => runAs(site, fn, { user, roles: ['Perm Owner', 'All'] })

  it('grants if_owner rights on the user own documents only, and create always', async () => {
    const meta = site.services.meta.get('Perm Customer')
    const mine = await asOwnerRole('alice@perm.test', async () => String((await insertDocument(newDocument('Perm Customer', { customer_name: 'Alice Own Co' }))).name))
    await asOwnerRole('alice@perm.test', async () => {
      const doc = await getDocument('Perm Customer', mine)
      const ctx = newContext({ site, user: 'ALICE@perm.test', roles: ['Perm Owner'], logger: silentLogger })
      for (const ptype of ['read', 'write', 'delete'] as PermissionType[]) expect(await hasPermission(ctx, meta, ptype, doc)).toBe(true)
    })
    await asOwnerRole('bob@perm.test', async () => {
      const doc = await getDocument('Perm Customer', mine)
      const ctx = newContext({ site, user: 'bob@perm.test', roles: ['Perm Owner'], logger: silentLogger })
      for (const ptype of ['read', 'write', 'delete'] as PermissionType[]) expect(await hasPermission(ctx, meta, ptype, doc)).toBe(false)
      // At DocType level read counts (lists work, filtered by owner); write does not.
      expect(await hasPermission(ctx, meta, 'read')).toBe(true)
      expect(await hasPermission(ctx, meta, 'write')).toBe(false)
      expect(await hasPermission(ctx, meta, 'create')).toBe(true)
      doc.set('customer_name', 'Bob Took It')
      await expect(saveDocument(doc)).rejects.toBeInstanceOf(PermissionError)
    })
  })
})
