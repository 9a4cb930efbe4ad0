import { sql } from 'kysely'
import type { Executor } from '../../db/index.js'
import { tableName, type DocTypeMeta } from '../../meta/index.js'

const AMENDMENT_SUFFIX = /-\d+$/

/** `%`, `_` and the escape character itself match literally after this. */
function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (char) => `!${char}`)
}

/**
 * The name the amendment's number goes after: the original's name, without its `-N` when
 * the original is itself an amendment (Frappe's `_set_amended_name`). A plain name such as
 * `SINV-2025-00001` keeps its last part.
 */
async function amendmentBase(tx: Executor, meta: DocTypeMeta, amendedFrom: string): Promise<string> {
  if (!AMENDMENT_SUFFIX.test(amendedFrom) || !meta.fieldsByName.has('amended_from')) return amendedFrom
  const original = await tx
    .selectFrom(tableName(meta.name))
    .select('amended_from')
    .where('name', '=', amendedFrom)
    .executeTakeFirst()
  return original?.amended_from ? amendedFrom.replace(AMENDMENT_SUFFIX, '') : amendedFrom
}

/** The highest `N` among existing `<base>-N` names, or 0. */
async function highestAmendment(tx: Executor, meta: DocTypeMeta, base: string): Promise<number> {
  const rows = await tx
    .selectFrom(tableName(meta.name))
    .select('name')
    .where(sql<boolean>`${sql.ref('name')} like ${`${escapeLike(base)}-%`} escape '!'`)
    .execute()
  let highest = 0
  for (const row of rows) {
    const name = String(row.name)
    const number = name.startsWith(`${base}-`) ? name.slice(base.length + 1) : ''
    if (/^\d+$/.test(number)) highest = Math.max(highest, Number(number))
  }
  return highest
}

/**
 * The name of an amendment (spec 6.2): `<orig>-1`, then `-2`, … The next number is the first
 * one after every `<orig>-N` already stored, so amending twice never clashes.
 */
export async function amendedName(tx: Executor, meta: DocTypeMeta, amendedFrom: string): Promise<string> {
  const base = await amendmentBase(tx, meta, amendedFrom)
  return `${base}-${(await highestAmendment(tx, meta, base)) + 1}`
}
