import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** How often the WAL is copied back into the database file. */
const CHECKPOINT_INTERVAL_MS = 250
/**
 * Past this size the WAL is truncated when nobody is using it, so it cannot grow without bound.
 * Never waited for: a pending TRUNCATE holds off every writer while it waits for readers.
 */
const TRUNCATE_ABOVE_BYTES = 64 * 1024 * 1024

/**
 * Runs in a worker thread with its own connection. Checkpoints copy pages and fsync, which can
 * take milliseconds; here they never block the event loop that serves requests.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads')
const { statSync } = require('node:fs')
const Database = require(workerData.driver)
const db = new Database(workerData.file)
db.pragma('busy_timeout = 0')
db.pragma('wal_autocheckpoint = 0')
const walSize = () => { try { return statSync(workerData.file + '-wal').size } catch { return 0 } }
const timer = setInterval(() => {
  try {
    db.pragma(walSize() > workerData.truncateAbove ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(PASSIVE)')
  } catch (error) {
    if (error.code !== 'SQLITE_BUSY' && error.code !== 'SQLITE_LOCKED') parentPort.postMessage({ error: String(error) })
  }
}, workerData.interval)
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0) })
`

export interface Checkpointer {
  stop(): Promise<void>
}

/**
 * SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the
 * thread that commits; and while any reader holds a snapshot the WAL cannot restart, so every
 * later commit checkpoints again (with an fsync). With several processes reading and writing,
 * commits slowed to milliseconds. The connections turn it off and this thread checkpoints
 * a few times a second instead.
 */
export function startCheckpointer(file: string, onError: (message: string) => void): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driver, interval: CHECKPOINT_INTERVAL_MS, truncateAbove: TRUNCATE_ABOVE_BYTES },
  })
  worker.unref()
  worker.on('message', (message: { error?: string }) => message.error && onError(message.error))
  worker.on('error', (error) => onError(String(error)))
  return {
    async stop() {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
      worker.ref() // an unreferenced worker would let the process end before it has closed
      worker.postMessage('stop')
      await exited
    },
  }
}
