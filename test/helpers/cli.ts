import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root, where `bin/cortado.js` lives. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** The environment a CLI child gets: this process's, minus the variables tests control. */
export function cliEnvironment(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const key of ['ADMIN_PASSWORD', 'CORTADO_SITES', 'CORTADO_APPS', 'CORTADO_ROOT', 'PORT', 'HOST', 'LOG_LEVEL']) delete env[key]
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value
  return env
}

/** Runs `node bin/cortado.js <args>` to completion. */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return waitForExit(startCli(args, env).child)
}

export interface RunningCli {
  readonly child: ChildProcess
  /** Everything written to stdout so far. */
  stdout(): string
  /** Resolves with the first stdout line (parsed pino JSON) that `matches`. */
  waitForLog(matches: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
  /** Every stdout line that is JSON, parsed. */
  logLines(): Array<Record<string, unknown>>
  exited: Promise<CliResult>
}

/** Starts `node bin/cortado.js <args>` and follows its stdout (pino JSON lines). */
export function startCli(args: readonly string[], env: Record<string, string | undefined> = {}): RunningCli {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'cortado.js'), ...args], {
    cwd: REPO_ROOT,
    env: cliEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  const waiters: Array<{ matches: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }> = []
  const parse = (): Array<Record<string, unknown>> =>
    stdout.split('\n').flatMap((line) => {
      try {
        const parsed: unknown = JSON.parse(line)
        return parsed !== null && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : []
      } catch {
        return []
      }
    })
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
    const lines = parse()
    for (const waiter of [...waiters]) {
      const found = lines.find(waiter.matches)
      if (found) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(found)
      }
    }
  })
  const exited = waitForExit(child, () => stdout)
  return {
    child,
    stdout: () => stdout,
    logLines: parse,
    waitForLog(matches) {
      const found = parse().find(matches)
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        waiters.push({ matches, resolve })
        void exited.then((result) => reject(new Error(`cortado exited (${result.code}) before the expected log line:\n${result.stdout}\n${result.stderr}`)))
      })
    },
    exited,
  }
}

function waitForExit(child: ChildProcess, capturedStdout?: () => string): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  if (!capturedStdout) child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout: capturedStdout?.() ?? stdout, stderr }))
  })
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return address.port
}

/** A temporary bench folder: `sites/` with `apps.txt` listing `apps` after frappe. */
export function temporarySites(apps: readonly string[] = []): { root: string; sitesPath: string } {
  const root = mkdtempSync(join(tmpdir(), 'cortado-cli-'))
  const sitesPath = join(root, 'sites')
  mkdirSync(sitesPath, { recursive: true })
  writeFileSync(join(sitesPath, 'apps.txt'), `${['frappe', ...apps].join('\n')}\n`)
  return { root, sitesPath }
}

/** The fixture apps folder (test/fixtures/apps) and the demo apps folder (apps/). */
export const CLI_APPS = { fixtures: join(REPO_ROOT, 'test', 'fixtures', 'apps'), demo: join(REPO_ROOT, 'apps') } as const
