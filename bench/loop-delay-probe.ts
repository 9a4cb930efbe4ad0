/**
 * Loaded into the bench server by bench/fanout-impact.ts (`node --import`): the server's
 * event-loop delay, read and reset over the IPC channel the script opens. It answers
 * `{ type: 'loop-delay' }` with the delay's p50, p99 and max in ms since the last question: how
 * long timers, and so HTTP requests, waited behind whatever held the loop (a fan-out, GC, a slow
 * handler). wrk's latencies also contain the time the kernel gives other processes on the
 * shared cores; this does not.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'

const RESOLUTION_MS = 1
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
histogram.enable()

/** The histogram holds timer intervals: a delay is what exceeds the resolution. */
const delayMs = (ns: number): number => Math.round(Math.max(0, ns / 1e6 - RESOLUTION_MS) * 10) / 10

process.on('message', (message: { type?: unknown }) => {
  if (message?.type !== 'loop-delay') return
  process.send?.({ type: 'loop-delay', p50: delayMs(histogram.percentile(50)), p99: delayMs(histogram.percentile(99)), max: delayMs(histogram.max) })
  histogram.reset()
})
