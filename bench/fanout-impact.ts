/**
 * `npm run bench:fanout-impact`: does a realtime fan-out stall HTTP on the same process? (issue 5,
 * item 3). Starts the bench site as one process, connects CONNS socket.io clients subscribed to
 * `Bench Note`, then runs wrk's W1 (../shared/bench/wrk/w1_read.lua) twice per round: without
 * updates, and while one PUT per second fans a `list_update` out to every socket. Prints each
 * run's W1 numbers beside the server's event-loop delay (bench/loop-delay-probe.ts), the packets
 * the kernel dropped or retransmitted meanwhile and whether every update reached every socket,
 * then the median W1 p99 of each kind and their ratio (target: below 2). W1's tail on this
 * machine has outliers that are not the event loop's (bench/RESULTS-realtime.md), hence medians.
 *
 * The npm script raises the open-file limit. The server, wrk and the sockets (bench/fanout-sockets.ts, at nice 19) are
 * three processes; this one only sends the PUTs and keeps time.
 *
 * Environment [default]: PORT [18095], CONNS [5000], DURATION [10] s, WARMUP [5] s, WRK_CONNS [64],
 * UPDATE_EVERY_MS [1000], ROUNDS [1] (each round: without, then with), QUIET_WAIT [60] s (the
 * longest wait before a phase for the machine to be under 15% busy), BENCH_SITES
 * [bench/.work/realtime/sites], BENCH_WORK [bench/.work/realtime] (report and server log).
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { FromSockets, ToSockets } from './fanout-sockets.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const W1_SCRIPT = resolve(ROOT, '..', 'shared', 'bench', 'wrk', 'w1_read.lua')
const AUTH = 'token benchkey:benchsecret'
const NAMESPACE = '/bench.localhost'
const DOCTYPE = 'Bench Note'

function setting(name: string, fallback: number): number {
  const raw = process.env[name]
  const value = raw === undefined || raw === '' ? fallback : Number(raw)
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`)
  return value
}

const cfg = {
  port: setting('PORT', 18095),
  conns: setting('CONNS', 5000),
  duration: setting('DURATION', 10),
  warmup: setting('WARMUP', 5),
  wrkConns: setting('WRK_CONNS', 64),
  updateEveryMs: setting('UPDATE_EVERY_MS', 1000),
  rounds: Math.max(1, setting('ROUNDS', 1)),
  sites: resolve(process.env.BENCH_SITES ?? join(ROOT, 'bench', '.work', 'realtime', 'sites')),
  work: resolve(process.env.BENCH_WORK ?? join(ROOT, 'bench', '.work', 'realtime')),
}
const url = `http://127.0.0.1:${cfg.port}`

const log = (message: string): void => console.error(`[fanout-impact ${new Date().toISOString().slice(11, 19)}] ${message}`)
const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits

function percentile(values: number[], q: number): number | null {
  if (values.length === 0) return null
  const sorted = Float64Array.from(values).sort()
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!
}

function openFileLimit(): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
  return !match || match[1] === 'unlimited' ? Infinity : Number(match[1])
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

/** `[process group, user + system CPU ticks]` of a process, from /proc; undefined once it is gone. */
function processTicks(pid: string | number): [number, number] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ')
    return [Number(fields[2]), Number(fields[11]) + Number(fields[12])]
  } catch {
    return undefined // the process ended meanwhile
  }
}

/** CPU ticks of every process of a group (a process counts its threads, worker threads included). */
function groupTicks(pgid: number): number {
  let total = 0
  for (const entry of readdirSync('/proc')) {
    const ticks = /^\d+$/.test(entry) ? processTicks(entry) : undefined
    if (ticks && ticks[0] === pgid) total += ticks[1]
  }
  return total
}

function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const at = (i: number): number => f[i] ?? 0
  const busy = at(0) + at(1) + at(2) + at(5) + at(6) + at(7)
  return { busy, total: busy + at(3) + at(4) }
}

/**
 * Packets the kernel dropped on its per-CPU input queues (loopback included: /proc/net/softnet_stat,
 * second column) and TCP segments retransmitted (/proc/net/snmp). A burst of writes that overflows
 * the queue (net.core.netdev_max_backlog, 1,000 here) costs the requests whose packets were dropped
 * a retransmission timeout: 200 ms or more, which shows in W1's tail whatever the server does.
 */
function packetLoss(): { dropped: number; retransmitted: number } {
  const dropped = readFileSync('/proc/net/softnet_stat', 'utf8')
    .trim()
    .split('\n')
    .reduce((sum, line) => sum + parseInt(line.split(/\s+/)[1] ?? '0', 16), 0)
  const [header, values] = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((line) => line.startsWith('Tcp:'))
  const at = header?.split(/\s+/).indexOf('RetransSegs') ?? -1
  return { dropped, retransmitted: Number(values?.split(/\s+/)[at] ?? 0) }
}

/** Waits (at most QUIET_WAIT s) while other programs keep the machine more than 15% busy; returns the last reading. */
async function waitQuiet(): Promise<number> {
  let busyPct = 100
  for (let second = 0; second < setting('QUIET_WAIT', 60); second += 1) {
    const before = machineTicks()
    await sleep(1000)
    const after = machineTicks()
    busyPct = round((100 * (after.busy - before.busy)) / Math.max(1, after.total - before.total), 0)
    if (busyPct <= 15) break
    if (second === 0) log(`the machine is ${busyPct}% busy; waiting for it to calm down`)
  }
  return busyPct
}

/**
 * The bench server, one process (BENCH_PROCESSES=1), in its own process group so that it stops as
 * a whole. It is bench/serve.ts on this node with tsx's loader, as `npm run bench:serve` runs it
 * but without the npm and tsx wrapper processes, plus bench/loop-delay-probe.ts.
 */
function startServer(): ChildProcess {
  mkdirSync(cfg.work, { recursive: true })
  const output = openSync(join(cfg.work, 'fanout-impact-server.log'), 'w')
  return spawn(process.execPath, [...process.execArgv, '--import', pathToFileURL(join(ROOT, 'bench', 'loop-delay-probe.ts')).href, join(ROOT, 'bench', 'serve.ts')], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', output, output, 'ipc'],
    env: { ...process.env, BENCH_PROCESSES: '1', PORT: String(cfg.port), BENCH_SITES: cfg.sites, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  })
}

interface LoopDelay {
  p50: number
  p99: number
  max: number
}

/** The server's event-loop delay since the last call (bench/loop-delay-probe.ts). */
function loopDelay(server: ChildProcess): Promise<LoopDelay> {
  return new Promise((resolve) => {
    const listener = (message: { type?: unknown } & LoopDelay): void => {
      if (message?.type !== 'loop-delay') return
      server.off('message', listener)
      resolve({ p50: message.p50, p99: message.p99, max: message.max })
    }
    server.on('message', listener)
    server.send({ type: 'loop-delay' })
  })
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.pid === undefined || server.exitCode !== null) return
  const exited = new Promise((resolve) => server.once('exit', resolve))
  process.kill(-server.pid, 'SIGTERM')
  const timer = setTimeout(() => process.kill(-server.pid!, 'SIGKILL'), 15_000)
  await exited
  clearTimeout(timer)
}

async function waitReady(server: ChildProcess): Promise<void> {
  const deadline = performance.now() + 180_000 // the first start creates and seeds the site
  while (performance.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}); see ${cfg.work}/fanout-impact-server.log`)
    try {
      if ((await fetch(`${url}/api/method/ping`)).ok) return
    } catch {
      // not listening yet
    }
    await sleep(300)
  }
  throw new Error('the server did not answer /api/method/ping within 180 s')
}

const epochMs = (): number => performance.timeOrigin + performance.now()

/** The sockets' process (bench/fanout-sockets.ts): request/answer over IPC, one question at a time. */
interface SocketsProcess {
  readonly child: ChildProcess
  dropped: number
  ask<T extends FromSockets['type']>(question: ToSockets, answer: T): Promise<Extract<FromSockets, { type: T }>>
}

function startSockets(): Promise<SocketsProcess> {
  const child = fork(join(ROOT, 'bench', 'fanout-sockets.ts'), [url, NAMESPACE, AUTH, DOCTYPE, String(cfg.conns)], { execArgv: process.execArgv })
  const waiting = new Map<string, (message: FromSockets) => void>()
  const sockets: SocketsProcess = {
    child,
    dropped: 0,
    ask(question, answer) {
      return new Promise((resolve) => {
        waiting.set(answer, resolve as (message: FromSockets) => void)
        child.send(question)
      })
    },
  }
  return new Promise((resolve, reject) => {
    child.on('message', (message: FromSockets) => {
      if (message.type === 'connected') resolve(sockets)
      else if (message.type === 'failed') reject(new Error(message.message))
      else if (message.type === 'dropped') sockets.dropped += 1
      else {
        const answer = waiting.get(message.type)
        waiting.delete(message.type)
        answer?.(message)
      }
    })
    child.once('exit', (code) => reject(new Error(`the sockets' process exited (${code})`)))
  })
}

/** When each update's PUT left (epoch ms). */
const sentAt = new Map<string, number>()

async function put(name: string): Promise<number> {
  sentAt.set(name, epochMs())
  const response = await fetch(`${url}/api/resource/${encodeURIComponent(DOCTYPE)}/${name}`, {
    method: 'PUT',
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    body: JSON.stringify({ title: `fan-out ${name} ${Date.now()}` }),
  })
  await response.arrayBuffer()
  return response.status
}

/** Probe updates until every socket has one: the subscriptions are then settled. */
async function probe(sockets: SocketsProcess): Promise<void> {
  for (let p = 0; p < 20; p += 1) {
    const name = `BN-${String(10_000 - p).padStart(5, '0')}`
    await put(name)
    const until = performance.now() + 3000
    let got = 0
    while ((got = (await sockets.ask({ type: 'count', name }, 'count')).got) < cfg.conns && performance.now() < until) await sleep(50)
    if (got >= cfg.conns && p >= 2) return
  }
  throw new Error('probe updates did not reach every socket')
}

interface WrkResult {
  /** wrk's own CPU, sampled every 200 ms until it exits. */
  cpuTicks: number
  requests: number
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  non2xx: number
  timeouts: number
}

function runWrk(seconds: number): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const wrk = spawn('wrk', ['-t1', `-c${cfg.wrkConns}`, `-d${seconds}s`, '--timeout', '2s', '-s', W1_SCRIPT, url], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    let cpuTicks = 0
    const sampler = setInterval(() => (cpuTicks = processTicks(wrk.pid ?? 0)?.[1] ?? cpuTicks), 200)
    wrk.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    wrk.on('error', reject)
    wrk.on('close', (code) => {
      clearInterval(sampler)
      const line = /^BENCH (.*)$/m.exec(out)?.[1]
      if (code !== 0 || !line) return reject(new Error(`wrk exited ${code}: ${out.slice(-300)}`))
      const field = (key: string): number => Number(new RegExp(`\\b${key}=(\\d+)`).exec(line)?.[1] ?? NaN)
      const requests = field('requests')
      resolve({
        cpuTicks,
        requests,
        reqPerSec: round(requests / (field('duration_us') / 1e6), 0),
        p50Ms: round(field('p50_us') / 1000, 2),
        p99Ms: round(field('p99_us') / 1000, 2),
        maxMs: round(field('max_us') / 1000, 2),
        non2xx: field('non2xx'),
        timeouts: field('timeout'),
      })
    })
  })
}

interface PhaseResult {
  phase: 'without fan-out' | 'with fan-out'
  wrk: WrkResult
  serverLoopDelay: LoopDelay
  packetsDropped: number
  tcpRetransmits: number
  updates: number
  updatesReachingAll: number
  putStatuses: number[]
  deliveryP50Ms: number | null
  deliveryP99Ms: number | null
  serverCpuPct: number
  clientCpuPct: number
  otherCpuPct: number
  busyBefore?: number
}

let updateCounter = 0

/** One measured W1 run; with `fanOut`, one PUT every UPDATE_EVERY_MS meanwhile. */
async function phase(fanOut: boolean, server: ChildProcess, sockets: SocketsProcess): Promise<PhaseResult> {
  const serverPgid = server.pid!
  const names: string[] = []
  const statuses: Promise<number>[] = []
  const startMachine = machineTicks()
  const startServerTicks = groupTicks(serverPgid)
  const socketsPid = sockets.child.pid!
  const startSocketsTicks = processTicks(socketsPid)?.[1] ?? 0
  await loopDelay(server) // resets the histogram
  const lossBefore = packetLoss()
  const wrk = runWrk(cfg.duration)
  const started = performance.now()
  if (fanOut) {
    for (let k = 0; performance.now() - started < cfg.duration * 1000 - 500; k += 1) {
      const due = started + 250 + k * cfg.updateEveryMs // the first one once wrk's connections are up
      while (performance.now() < due) await sleep(Math.max(1, due - performance.now()))
      if (performance.now() - started >= cfg.duration * 1000 - 500) break
      const name = `BN-${String(++updateCounter).padStart(5, '0')}`
      names.push(name)
      statuses.push(put(name))
    }
  }
  const result = await wrk
  const serverLoopDelay = await loopDelay(server)
  const lossAfter = packetLoss()
  const endMachine = machineTicks()
  const serverTicks = groupTicks(serverPgid) - startServerTicks
  const socketsTicks = (processTicks(socketsPid)?.[1] ?? 0) - startSocketsTicks
  const busy = endMachine.busy - startMachine.busy
  const total = endMachine.total - startMachine.total
  const putStatuses = await Promise.all(statuses)
  const drainUntil = performance.now() + 5000
  const arrivalsOf = async (): Promise<Record<string, number[]>> => (await sockets.ask({ type: 'arrivals', names }, 'arrivals')).arrivals
  let arrivals = await arrivalsOf()
  const complete = (): boolean => names.every((name) => (arrivals[name]?.length ?? 0) >= cfg.conns - sockets.dropped)
  while (!complete() && performance.now() < drainUntil) {
    await sleep(200)
    arrivals = await arrivalsOf()
  }
  const latencies = names.flatMap((name) => (arrivals[name] ?? []).map((at) => at - sentAt.get(name)!))
  return {
    phase: fanOut ? 'with fan-out' : 'without fan-out',
    wrk: result,
    serverLoopDelay,
    packetsDropped: lossAfter.dropped - lossBefore.dropped,
    tcpRetransmits: lossAfter.retransmitted - lossBefore.retransmitted,
    updates: names.length,
    updatesReachingAll: names.filter((name) => (arrivals[name]?.length ?? 0) >= cfg.conns).length,
    putStatuses,
    deliveryP50Ms: latencies.length ? round(percentile(latencies, 50)!) : null,
    deliveryP99Ms: latencies.length ? round(percentile(latencies, 99)!) : null,
    serverCpuPct: round((100 * serverTicks) / (cfg.duration * CLOCK_TICKS), 0),
    clientCpuPct: round((100 * socketsTicks) / (cfg.duration * CLOCK_TICKS), 0),
    // Busy time of the machine that neither the server, nor wrk, nor these sockets used: noise.
    otherCpuPct: total > 0 ? round(Math.max(0, (100 * (busy - serverTicks - socketsTicks - result.cpuTicks)) / total), 0) : 0,
  }
}

function table(results: PhaseResult[]): string {
  const rows = results.map((r) =>
    `| ${r.phase} | ${r.wrk.reqPerSec} | ${r.wrk.p50Ms} | ${r.wrk.p99Ms} | ${r.wrk.maxMs} | ${r.wrk.non2xx} | ${r.wrk.timeouts} | ` +
    `${r.serverLoopDelay.p99} / ${r.serverLoopDelay.max} | ${r.packetsDropped} / ${r.tcpRetransmits} | ` +
    `${r.updates ? `${r.updatesReachingAll}/${r.updates}` : '-'} | ${r.deliveryP50Ms ?? '-'} / ${r.deliveryP99Ms ?? '-'} | ${r.serverCpuPct} | ${r.clientCpuPct} | ${r.otherCpuPct} | ${r.busyBefore ?? '-'} |`,
  )
  return [
    `| W1 (${cfg.wrkConns} conns, ${cfg.duration} s), ${cfg.conns} sockets | req/s | p50 ms | p99 ms | max ms | non-2xx | timeouts | server loop delay p99 / max ms | packets dropped / TCP retransmits | updates reaching all sockets | delivery p50 / p99 ms | server CPU % of a core | sockets' CPU % of a core | other CPU % of machine | machine busy % before |`,
    '|---|---:|---:|---:|---:|---:|---:|---|---|---:|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n')
}

async function main(): Promise<void> {
  if (openFileLimit() < cfg.conns + 200) throw new Error(`open-file limit ${openFileLimit()} is below ${cfg.conns + 200}: raise it (ulimit -n)`)
  log(`starting the bench server on ${url} (one process, sites ${cfg.sites})`)
  const server = startServer()
  const stop = (): void => {
    if (server.pid !== undefined && server.exitCode === null) process.kill(-server.pid, 'SIGKILL')
  }
  process.once('exit', stop)
  let sockets: SocketsProcess | undefined
  try {
    await waitReady(server)
    log(`connecting ${cfg.conns} sockets to ${NAMESPACE} (their own process, nice 19)`)
    sockets = await startSockets()
    await probe(sockets)
    log('every socket receives list_update; warming W1 up')
    await runWrk(cfg.warmup)
    const results: PhaseResult[] = []
    for (let r = 0; r < cfg.rounds; r += 1) {
      for (const fanOut of [false, true]) {
        const busyBefore = await waitQuiet()
        log(`round ${r + 1}: W1 ${fanOut ? `with one update every ${cfg.updateEveryMs} ms` : 'without updates'} (machine ${busyBefore}% busy before)`)
        results.push({ ...(await phase(fanOut, server, sockets)), busyBefore })
        await sleep(1000)
      }
    }
    const median = (phase: PhaseResult['phase'], pick: (r: PhaseResult) => number): number =>
      percentile(results.filter((r) => r.phase === phase).map(pick), 50)!
    const without = results.filter((r) => r.phase === 'without fan-out')
    const ratios = results.filter((r) => r.phase === 'with fan-out').map((r, i) => round(r.wrk.p99Ms / without[i]!.wrk.p99Ms, 2))
    const p99 = { without: median('without fan-out', (r) => r.wrk.p99Ms), with: median('with fan-out', (r) => r.wrk.p99Ms) }
    const loopMax = { without: median('without fan-out', (r) => r.serverLoopDelay.max), with: median('with fan-out', (r) => r.serverLoopDelay.max) }
    const report = [
      `## Fan-out impact on HTTP: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `- ${cfg.conns} socket.io clients (websocket, one process at nice 19) subscribed to ${DOCTYPE}; wrk W1 -t1 -c${cfg.wrkConns} -d${cfg.duration}s; ` +
        `one PUT every ${cfg.updateEveryMs} ms in the fan-out phase; ${cfg.rounds} round(s), each without then with; sockets dropped: ${sockets.dropped}; node ${process.version}`,
      '',
      table(results),
      '',
      `W1 p99, median over rounds: ${p99.without} ms without fan-out, ${p99.with} ms with: ratio ${round(p99.with / p99.without, 2)} (target: below 2); ` +
        `per round: ${ratios.join(', ')}`,
      `Server event-loop delay max, median over rounds: ${loopMax.without} ms without, ${loopMax.with} ms with`,
    ].join('\n')
    console.log(report)
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)
    writeFileSync(join(cfg.work, `fanout-impact-${stamp}.json`), JSON.stringify({ cfg, results, ratios, p99, loopMax, dropped: sockets.dropped }, null, 2))
    writeFileSync(join(cfg.work, `fanout-impact-${stamp}.md`), `${report}\n`)
  } finally {
    sockets?.child.kill()
    await stopServer(server)
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
