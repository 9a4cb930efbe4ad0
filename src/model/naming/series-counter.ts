import { sql } from 'kysely'
import type { DialectName, Executor } from '../../db/index.js'

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
  const row = await tx
    .insertInto(SERIES_TABLE)
    .values({ name: key, current: 1 })
    .onConflict((conflict) =>
      conflict.column('name').doUpdateSet({ current: sql`${sql.ref(`${SERIES_TABLE}.current`)} + 1` }),
    )
    .returning('current')
    .executeTakeFirstOrThrow()
  return Number(row.current)
}

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
