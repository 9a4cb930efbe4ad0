import { performance } from 'node:perf_hooks'
import type { Socket } from 'socket.io'

/** A connection's engine.io socket: where socket.io writes every encoded packet it sends. */
export type EngineSocket = Socket['conn']
type WriteParameters = Parameters<EngineSocket['write']>
type Write = (data: WriteParameters[0], options?: WriteParameters[1], callback?: WriteParameters[2]) => unknown

/**
 * How long one event-loop turn spends on socket writes before the rest wait for the next turn.
 * One write (a pre-encoded websocket frame handed to the kernel) takes about 15–25 µs on the
 * 2-core benchmark box, so a fan-out to 5,000 sockets is about 0.1 s of writes; in slices of
 * 2 ms, an HTTP request that arrives meanwhile waits for one slice, not for all of it.
 */
export const TURN_BUDGET_MS = 2
/** The most writes in one turn, whatever the clock says: bounds a slice on a fast machine too. */
export const WRITES_PER_TURN = 256

export interface WritePacerOptions {
  readonly budgetMs?: number
  readonly writesPerTurn?: number
  /** A write that throws (a broken connection); the others go on. */
  readonly onError?: (error: unknown) => void
  /** The clock, in ms; tests pass their own. */
  readonly now?: () => number
}

export interface WritePacer {
  /** Routes a connection's writes through the pacer; a second call for the same one is a no-op. */
  pace(conn: EngineSocket): void
  /** Writes waiting for a later turn. */
  queued(): number
  /** Writes everything waiting now, e.g. before the sockets are closed. */
  flush(): void
  /**
   * Runs `task` in turn with the writes: after everything that waits, at once if nothing does.
   * Its own writes go out as it makes them. For work that makes many writes (a room emit), so that
   * the work itself, not only its writes, is spread over turns.
   */
  defer(task: () => void): void
}

type QueuedWrite = Parameters<Write>
/** What waits: a write, or a task that makes writes. */
type Step = { readonly write: Write; readonly args: QueuedWrite } | { readonly task: () => void }

/**
 * Spreads socket writes over event-loop turns. socket.io's room emit writes every member's frame
 * before it returns, so one emit to 5,000 sockets blocks the process (and every HTTP request it
 * serves) for about 0.1 s. Here a turn writes for at most `budgetMs` (and at most `writesPerTurn`
 * frames); the rest wait in one FIFO and go out in slices on the following turns (`setImmediate`,
 * so the poll phase, HTTP included, runs between slices).
 *
 * Pacing at the connection rather than at the room emit keeps every socket's events in emit
 * order, whatever sent them (room emits, direct emits, acks, another process through the Redis
 * adapter): once anything waits, every later write waits behind it. Small emits on an idle loop
 * are written at once, as before. Work that makes many writes can wait in the same line
 * (`defer`), as a large room emit does (room-emit.ts).
 */
export function createWritePacer(options: WritePacerOptions = {}): WritePacer {
  const budgetMs = options.budgetMs ?? TURN_BUDGET_MS
  const writesPerTurn = options.writesPerTurn ?? WRITES_PER_TURN
  const onError = options.onError ?? (() => {})
  const now = options.now ?? (() => performance.now())
  if (!(budgetMs > 0) || !Number.isInteger(writesPerTurn) || writesPerTurn < 1) {
    throw new Error(`a write pacer needs a positive budget and write count, got ${budgetMs} ms and ${writesPerTurn}`)
  }
  const paced = new WeakSet<EngineSocket>()
  let queue: (Step | undefined)[] = []
  let head = 0
  let writtenThisTurn = 0
  let spentThisTurn = 0 // ms of writing, not of whatever else the turn does
  let turnScheduled = false
  let inTask = false

  const hasBudget = (): boolean => writtenThisTurn < writesPerTurn && spentThisTurn < budgetMs

  const writeSafely = (write: Write, ...args: QueuedWrite): void => {
    try {
      write(...args)
    } catch (error) {
      onError(error) // one broken connection must not stall everyone queued behind it
    }
  }

  /** Runs one step, counting its writes and its time against the turn's budget. */
  function run(step: Step): void {
    const started = now()
    if ('task' in step) {
      inTask = true
      try {
        step.task()
      } catch (error) {
        onError(error)
      } finally {
        inTask = false
      }
    } else {
      writeSafely(step.write, ...step.args)
      writtenThisTurn += 1
    }
    spentThisTurn += now() - started
  }

  function scheduleTurn(): void {
    if (turnScheduled) return
    turnScheduled = true
    setImmediate(nextTurn)
  }

  function writeQueued(unlimited: boolean): void {
    while (head < queue.length && (unlimited || hasBudget())) {
      const step = queue[head]!
      queue[head++] = undefined // let the frame go once written
      run(step)
    }
    if (head === queue.length) {
      queue = []
      head = 0
    }
  }

  function nextTurn(): void {
    turnScheduled = false
    writtenThisTurn = 0
    spentThisTurn = 0
    writeQueued(false)
    // One more turn after the last slice, to reset the budget for writes made meanwhile.
    if (writtenThisTurn > 0) scheduleTurn()
  }

  function submit(step: Step): void {
    if (head === queue.length && hasBudget()) run(step)
    else queue.push(step)
    scheduleTurn()
  }

  return {
    pace(conn) {
      if (paced.has(conn)) return
      paced.add(conn)
      const connWrite: Write = conn.write.bind(conn)
      // socket.io hands every packet of this connection to `conn.write` (engine.io's public send).
      conn.write = (...args: QueuedWrite) => {
        // A running task is at the head of the line: its writes go out now, in the order it makes them.
        if (!inTask) submit({ write: connWrite, args })
        else {
          writeSafely(connWrite, ...args)
          writtenThisTurn += 1
        }
        return conn
      }
    },
    queued: () => queue.length - head,
    flush: () => writeQueued(true),
    defer: (task) => submit({ task }),
  }
}
