import { describe, expect, it } from 'vitest'
import { createWritePacer, type EngineSocket } from './write-pacer.js'

/** A stand-in for an engine.io socket that records what is written to it, and when. */
interface FakeConnection {
  readonly id: number
  readonly frames: string[]
  write(frame: string): unknown
}

/** Every write, in the order the connections received them: `[turn, connection id, frame]`. */
type Log = [number, number, string][]

/** A fake clock: every write takes `writeMs`. */
interface Clock {
  ms: number
  readonly writeMs: number
}

function connections(count: number, log: Log, turn: () => number, broken: ReadonlySet<number>, clock: Clock): FakeConnection[] {
  return Array.from({ length: count }, (_, id) => {
    const frames: string[] = []
    return {
      id,
      frames,
      write(frame: string) {
        clock.ms += clock.writeMs
        if (broken.has(id)) throw new Error('connection gone')
        frames.push(frame)
        log.push([turn(), id, frame])
        return this
      },
    }
  })
}

interface Setup {
  readonly writesPerTurn?: number
  /** Each write advances the fake clock by this much (ms); the budget is 2 ms. */
  readonly writeMs?: number
  readonly onError?: (error: unknown) => void
  readonly broken?: ReadonlySet<number>
}

function pacedConnections(count: number, setup: Setup) {
  const log: Log = []
  let turn = 0
  const clock: Clock = { ms: 0, writeMs: setup.writeMs ?? 0 }
  const conns = connections(count, log, () => turn, setup.broken ?? new Set(), clock)
  const pacer = createWritePacer({ writesPerTurn: setup.writesPerTurn ?? 1000, budgetMs: 2, onError: setup.onError, now: () => clock.ms })
  for (const conn of conns) pacer.pace(conn as unknown as EngineSocket)
  const send = (conn: FakeConnection, frame: string): void => void (conn as unknown as EngineSocket).write(frame)
  /** Runs event-loop turns until nothing waits, counting them. */
  const drain = async (): Promise<void> => {
    while (pacer.queued() > 0) {
      turn += 1
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  return { conns, log, pacer, send, drain }
}

const writesPerTurnOf = (log: Log): number[] => {
  const counts: number[] = []
  for (const [turn] of log) counts[turn] = (counts[turn] ?? 0) + 1
  return counts
}

describe('createWritePacer', () => {
  it('writes at once while the turn has room', () => {
    const { conns, send, pacer } = pacedConnections(3, { writesPerTurn: 4 })
    for (const conn of conns) send(conn, 'a')
    expect(conns.map((conn) => conn.frames)).toEqual([['a'], ['a'], ['a']])
    expect(pacer.queued()).toBe(0)
  })

  it('spreads a burst larger than one slice over turns, every connection getting its frame', async () => {
    const { conns, send, pacer, drain, log } = pacedConnections(10, { writesPerTurn: 4 })
    for (const conn of conns) send(conn, 'a')
    expect(log.map(([, id]) => id)).toEqual([0, 1, 2, 3])
    expect(pacer.queued()).toBe(6)
    await drain()
    expect(conns.map((conn) => conn.frames)).toEqual(Array(10).fill(['a']))
    expect(log.map(([, id]) => id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(writesPerTurnOf(log)).toEqual([4, 4, 2])
  })

  it('keeps each connection in emit order across bursts and single writes', async () => {
    const { conns, send, drain, log } = pacedConnections(10, { writesPerTurn: 4 })
    for (const conn of conns) send(conn, 'first')
    for (const conn of conns) send(conn, 'second')
    send(conns[0]!, 'third') // a direct emit to one socket waits behind the bursts sent before it
    await drain()
    expect(conns[0]!.frames).toEqual(['first', 'second', 'third'])
    expect(conns.slice(1).map((conn) => conn.frames)).toEqual(Array(9).fill(['first', 'second']))
    expect(writesPerTurnOf(log)).toEqual([4, 4, 4, 4, 4, 1])
  })

  it('starts each turn with a fresh budget once the queue is empty', async () => {
    const { conns, send, drain, log } = pacedConnections(6, { writesPerTurn: 4 })
    for (const conn of conns) send(conn, 'a')
    await drain()
    await new Promise((resolve) => setImmediate(resolve)) // the turn that resets the count
    for (const conn of conns.slice(0, 4)) send(conn, 'b')
    expect(log.filter(([, , frame]) => frame === 'b').map(([, id]) => id)).toEqual([0, 1, 2, 3])
  })

  it('ends a turn once its writes have taken the time budget', async () => {
    const { conns, send, drain, log } = pacedConnections(10, { writeMs: 0.5 }) // 2 ms: four writes a turn
    for (const conn of conns) send(conn, 'a')
    await drain()
    expect(conns.map((conn) => conn.frames)).toEqual(Array(10).fill(['a']))
    expect(writesPerTurnOf(log)).toEqual([4, 4, 2])
  })

  it('runs deferred tasks in line with the writes, each task writing as it goes', async () => {
    const { conns, send, pacer, drain, log } = pacedConnections(6, { writesPerTurn: 3 })
    const [first, second] = [conns.slice(0, 3), conns.slice(3)]
    pacer.defer(() => first.forEach((conn) => send(conn, 'a'))) // nothing waits: runs at once
    pacer.defer(() => second.forEach((conn) => send(conn, 'a'))) // the turn's 3 writes are spent: waits
    send(conns[0]!, 'b') // waits behind the second task
    send(conns[5]!, 'b')
    expect(log.map(([, id, frame]) => `${id}${frame}`)).toEqual(['0a', '1a', '2a'])
    await drain()
    expect(log.map(([, id, frame]) => `${id}${frame}`)).toEqual(['0a', '1a', '2a', '3a', '4a', '5a', '0b', '5b'])
    expect(conns.map((conn) => conn.frames.join(''))).toEqual(['ab', 'a', 'a', 'a', 'a', 'ab'])
  })

  it('reports a failing write and goes on with the others', async () => {
    const errors: unknown[] = []
    const { conns, send, drain } = pacedConnections(6, { writesPerTurn: 2, onError: (error) => errors.push(error), broken: new Set([3]) })
    for (const conn of conns) send(conn, 'a')
    await drain()
    expect(conns.map((conn) => conn.frames.length)).toEqual([1, 1, 1, 0, 1, 1])
    expect(errors).toEqual([new Error('connection gone')])
  })

  it('writes everything waiting at once on flush', () => {
    const { conns, send, pacer } = pacedConnections(5, { writesPerTurn: 2 })
    for (const conn of conns) send(conn, 'a')
    pacer.flush()
    expect(conns.map((conn) => conn.frames)).toEqual(Array(5).fill(['a']))
    expect(pacer.queued()).toBe(0)
  })

  it('paces a connection once however often it is handed over', () => {
    const { conns, send, pacer } = pacedConnections(1, { writesPerTurn: 1 })
    pacer.pace(conns[0] as unknown as EngineSocket)
    send(conns[0]!, 'a')
    send(conns[0]!, 'b')
    expect(conns[0]!.frames).toEqual(['a'])
    expect(pacer.queued()).toBe(1)
  })
})
