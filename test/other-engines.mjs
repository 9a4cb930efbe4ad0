#!/usr/bin/env node
// The second half of `npm test`: the integration and wire tests once more with every test site on
// PostgreSQL, then on MariaDB (CORTADO_TEST_DB; each site gets a database of its own, dropped
// after). An engine that does not answer is skipped with a one-line notice, except under CI=true,
// where that fails: CI never goes green by skipping. Tests that make their own SQLite sites, or
// that cover the server engines themselves, are left out. `node test/other-engines.mjs mariadb`
// runs one engine.
import { spawnSync } from 'node:child_process'
import { createConnection } from 'node:net'

const ENGINES = [
  { name: 'postgres', label: 'PostgreSQL', host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432) },
  { name: 'mariadb', label: 'MariaDB', host: process.env.MARIADB_HOST ?? '127.0.0.1', port: Number(process.env.MARIADB_PORT ?? 3306) },
]
const NOT_PER_ENGINE = [
  'test/integration/bench-smoke.test.ts',
  'test/integration/cli.test.ts',
  'test/integration/meta-app-folder.test.ts',
  'test/integration/schema-sync.test.ts',
  'test/integration/backup-restore.test.ts',
  'test/wire/graceful-shutdown.test.ts',
  'test/wire/server-engine-site.test.ts',
  'test/wire/postgres-faults.test.ts',
  'test/wire/multi-site-isolation.test.ts',
]

function answers(host, port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port })
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => done(true))
  })
}

const wanted = process.argv[2]
let failed = false
for (const engine of ENGINES.filter((candidate) => !wanted || candidate.name === wanted)) {
  if (!(await answers(engine.host, engine.port))) {
    if (process.env.CI === 'true') {
      console.error(`${engine.label} is required under CI=true but ${engine.host}:${engine.port} does not answer`)
      failed = true
    } else console.warn(`skipping the ${engine.label} run: ${engine.host}:${engine.port} does not answer`)
    continue
  }
  console.log(`\n=== the integration and wire tests again, on ${engine.label} at ${engine.host}:${engine.port} ===\n`)
  const excluded = NOT_PER_ENGINE.flatMap((file) => ['--exclude', file])
  const run = spawnSync('npx', ['vitest', 'run', 'test/', ...excluded], { stdio: 'inherit', env: { ...process.env, CORTADO_TEST_DB: engine.name } })
  if (run.status !== 0) failed = true
}
process.exit(failed ? 1 : 0)
