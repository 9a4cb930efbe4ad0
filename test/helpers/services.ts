import { createConnection } from 'node:net'

/** Where tests expect Redis: here and in CI, 127.0.0.1:6379. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

/**
 * Whether Redis is reachable. When it is not, prints a one-line notice so the caller can skip,
 * except under CI=true, where a missing Redis is an error (CI never goes green by skipping).
 */
export async function requireRedis(): Promise<boolean> {
  if (await redisAnswers(REDIS_URL)) return true
  if (process.env.CI === 'true') throw new Error(`Redis is required under CI=true but ${REDIS_URL} does not answer`)
  console.warn(`skipping: Redis does not answer at ${REDIS_URL}`)
  return false
}

/** Where tests expect PostgreSQL: here and in CI, 127.0.0.1:5432 with trust auth for `postgres`. */
export const POSTGRES = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
} as const

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => done(true))
  })
}

/** Whether PostgreSQL is reachable; as `requireRedis`, a skip notice locally and an error under CI=true. */
export async function requirePostgres(): Promise<boolean> {
  if (await portAnswers(POSTGRES.host, POSTGRES.port)) return true
  if (process.env.CI === 'true') throw new Error(`PostgreSQL is required under CI=true but ${POSTGRES.host}:${POSTGRES.port} does not answer`)
  console.warn(`skipping: PostgreSQL does not answer at ${POSTGRES.host}:${POSTGRES.port}`)
  return false
}

let databaseCounter = 0

/** site_config keys for a new PostgreSQL site with a database of its own (`dropPostgresDatabase` removes it). */
export function postgresSiteConfig(): { db_type: 'postgres'; db_name: string; db_host: string; db_port: number; db_user: string } {
  return { db_type: 'postgres', db_name: `cortado_t${process.pid}_${Date.now().toString(36)}_${++databaseCounter}`, db_host: POSTGRES.host, db_port: POSTGRES.port, db_user: POSTGRES.user }
}

/** Where tests expect MariaDB: here and in CI, 127.0.0.1:3306, user root without a password. */
export const MARIADB = {
  host: process.env.MARIADB_HOST ?? '127.0.0.1',
  port: Number(process.env.MARIADB_PORT ?? 3306),
  user: process.env.MARIADB_USER ?? 'root',
} as const

/** Whether MariaDB is reachable; as `requireRedis`, a skip notice locally and an error under CI=true. */
export async function requireMariadb(): Promise<boolean> {
  if (await portAnswers(MARIADB.host, MARIADB.port)) return true
  if (process.env.CI === 'true') throw new Error(`MariaDB is required under CI=true but ${MARIADB.host}:${MARIADB.port} does not answer`)
  console.warn(`skipping: MariaDB does not answer at ${MARIADB.host}:${MARIADB.port}`)
  return false
}

/** site_config keys for a new MariaDB site with a database of its own (`dropMariadbDatabase` removes it). */
export function mariadbSiteConfig(): { db_type: 'mariadb'; db_name: string; db_host: string; db_port: number; db_user: string } {
  return { db_type: 'mariadb', db_name: `cortado_t${process.pid}_${Date.now().toString(36)}_${++databaseCounter}`, db_host: MARIADB.host, db_port: MARIADB.port, db_user: MARIADB.user }
}
