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
