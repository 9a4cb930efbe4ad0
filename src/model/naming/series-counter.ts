import { sql } from 'kysely'
import { executePrepared, PreparedQuery, type DialectName, type Executor } from '../../db/index.js'

/** Frappe's counter table (spec 8), created by `syncCoreTables`. */
export const SERIES_TABLE = 'tabSeries'

/**
 * Takes the next value of a `tabSeries` counter, creating it at 1. The upsert is a single
 * statement that locks the row until the transaction ends, so concurrent transactions never
 * get the same number (SQLite has one writer anyway).
 */
export async function nextSeriesValue(
  tx: Executor,
  key: string,
  dialect: DialectName = 'sqlite',
): Promise<number> {
  if (dialect === 'mariadb') {
    // MariaDB's RETURNING gives the inserted values, not the updated ones: read the row back.
    await tx
      .insertInto(SERIES_TABLE)
      .values({ name: key, current: 1 })
      .onDuplicateKeyUpdate({ current: sql`${sql.ref('current')} + 1` })
      .execute()
    const row = await tx
      .selectFrom(SERIES_TABLE)
      .select('current')
      .where('name', '=', key)
      .executeTakeFirstOrThrow()
    return Number(row.current)
  }
  // Compiled once per dialect: every insert named from a series runs it.
  let upsert = upserts.get(dialect)
  if (!upsert) {
    upsert = PreparedQuery.of(
      tx
        .insertInto(SERIES_TABLE)
        .values({ name: '', current: 1 })
        .onConflict((conflict) => conflict.column('name').doUpdateSet({ current: sql`${sql.ref(`${SERIES_TABLE}.current`)} + 1` }))
        .returning('current'),
    )
    upserts.set(dialect, upsert)
  }
  const { rows } = await executePrepared(tx, upsert.with(key, 1))
  if (!rows[0]) throw new Error(`The ${SERIES_TABLE} upsert returned no row for ${key}`)
  return Number(rows[0].current)
}

const upserts = new Map<DialectName, PreparedQuery<{ current: unknown }>>()

/** The counter's value, or 0 when it does not exist yet. */
export async function currentSeriesValue(tx: Executor, key: string): Promise<number> {
  const row = await tx
    .selectFrom(SERIES_TABLE)
    .select('current')
    .where('name', '=', key)
    .executeTakeFirst()
  return Number(row?.current ?? 0)
}

/** Steps a counter back by one, but only while it still stands at `count`. */
export async function stepSeriesBack(tx: Executor, key: string, count: number): Promise<void> {
  await tx
    .updateTable(SERIES_TABLE)
    .set({ current: sql`${sql.ref('current')} - 1` })
    .where('name', '=', key)
    .where('current', '=', count)
    .execute()
}
