import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeRows, digestRows, tableDigest } from '../../bench/seed.js'
import { BENCH_SITE, startBenchServer, type BenchServer } from '../../bench/serve.js'
import { silentLogger } from '../helpers/bench.js'
import { freePort } from '../helpers/cli.js'

const run = promisify(execFile)
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const SHARED_BENCH = resolve(ROOT, '..', 'shared', 'bench')
const ROWS = 200

async function hasPython(): Promise<boolean> {
  try {
    await run('python3', ['--version'])
    return true
  } catch {
    return false
  }
}

const sharedPresent = existsSync(join(SHARED_BENCH, 'check.py')) && existsSync(join(SHARED_BENCH, 'seed.py'))
const python = await hasPython()
if (!sharedPresent && process.env.CI === 'true') throw new Error(`bench smoke test: ${SHARED_BENCH} is missing`)
const canRun = sharedPresent && python
if (!canRun) console.warn(`bench smoke test skipped: ${sharedPresent ? 'python3 not found' : `${SHARED_BENCH} not found`}`)

/** seed.py's digest line for `rows` rows, from a database it writes in a temporary folder. */
async function seedPyDigest(rows: number, folder: string): Promise<{ rows: number; sha256: string }> {
  const { stdout } = await run('python3', [join(SHARED_BENCH, 'seed.py'), join(folder, 'seed.db'), '--rows', String(rows)])
  const match = /rows=(\d+) .*sha256=([0-9a-f]{64})/.exec(stdout)
  if (!match) throw new Error(`unexpected seed.py output: ${stdout}`)
  return { rows: Number(match[1]), sha256: match[2] as string }
}

describe.runIf(canRun)('bench:serve', () => {
  let root: string
  let server: BenchServer

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cortado-bench-'))
    server = await startBenchServer({ sitesPath: join(root, 'sites'), port: 0, rows: ROWS, logger: silentLogger })
  })

  afterAll(async () => {
    await server?.stop()
    if (root) rmSync(root, { recursive: true, force: true })
  })

  it('seeds the same rows as seed.py, digest for digest', async () => {
    const expected = await seedPyDigest(ROWS, root)
    expect(server.seeded).toEqual(expected)
    expect(digestRows(makeRows(ROWS))).toBe(expected.sha256)
  })

  it('passes every check of the shared contract check', async () => {
    const { stdout } = await run('python3', [join(SHARED_BENCH, 'check.py'), server.url, '--wait', '10']).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }))
    expect(stdout).toMatch(/contract: \d+ passed, 0 failed/)
    expect(stdout).not.toContain('FAIL')
  })

  it('reseeds on restart, dropping the rows the checks created', async () => {
    await server.stop()
    server = await startBenchServer({ sitesPath: join(root, 'sites'), port: 0, rows: ROWS, logger: silentLogger })
    const site = await server.sites.get(BENCH_SITE)
    const now = await tableDigest(site.services.database.reader)
    expect(now).toEqual(await seedPyDigest(ROWS, root))
    const series = await site.services.database.reader.selectFrom('tabSeries').select('current').where('name', '=', 'BN-').executeTakeFirst()
    expect(Number(series?.current)).toBe(ROWS)
  })
})

// Issue 5: the bench in production shape, two processes as the peers run on this 2-core machine.
describe.runIf(canRun)('bench:serve with BENCH_PROCESSES=2', () => {
  it('seeds once in the primary, passes the contract check from two workers, and stops on SIGTERM', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cortado-bench-cluster-'))
    const port = await freePort()
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'serve.ts')], {
      cwd: ROOT,
      env: { ...process.env, BENCH_SITES: join(root, 'sites'), BENCH_ROWS: String(ROWS), BENCH_PROCESSES: '2', PORT: String(port), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
    try {
      while (!stdout.includes('serving at')) {
        if (child.exitCode !== null) throw new Error(`bench:serve exited early:\n${stdout}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(stdout).toContain('with 2 processes')
      const { stdout: report } = await run('python3', [join(SHARED_BENCH, 'check.py'), `http://127.0.0.1:${port}`, '--wait', '10']).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }))
      expect(report).toMatch(/contract: 10 passed, 0 failed/)
      const seededBy = stdout
        .split('\n')
        .filter((line) => line.includes('"seeded tabBench Note"'))
        .map((line) => (JSON.parse(line) as { pid: number }).pid)
      expect(seededBy).toEqual([child.pid])
    } finally {
      child.kill('SIGTERM')
      const [code] = await exited
      rmSync(root, { recursive: true, force: true })
      expect(code).toBe(0)
    }
  })
})
