import { DuplicateEntryError } from '../../errors/index.js'
import type { Executor } from '../../db/index.js'
import { tableName, type DocTypeMeta } from '../../meta/index.js'
import { randomHashName } from '../../utils/index.js'

/** Frappe retries a clashing hash name silently this many times. */
const HASH_RETRIES = 5

/** Whether a row of this name exists in the DocType's table. */
export async function nameExists(tx: Executor, doctype: string, name: string): Promise<boolean> {
  const row = await tx
    .selectFrom(tableName(doctype))
    .select('name')
    .where('name', '=', name)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/**
 * A 10-character random name not yet used in the DocType's table (`autoname: hash`).
 * `generate` is replaceable so tests can force a clash.
 */
export async function uniqueHashName(
  tx: Executor,
  meta: DocTypeMeta,
  generate: () => string = () => randomHashName(10),
): Promise<string> {
  let name = generate()
  if (meta.issingle || meta.isVirtual) return name // no table to clash with
  for (let retry = 0; await nameExists(tx, meta.name, name); retry += 1) {
    if (retry === HASH_RETRIES) throw new DuplicateEntryError(meta.name, name)
    name = generate()
  }
  return name
}
