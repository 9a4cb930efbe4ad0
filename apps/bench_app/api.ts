import type { WhitelistedMethod } from '../../src/index.js'

/** The longest wait `bench.sleep` accepts: W4 asks for 100 ms. */
const MAX_SLEEP_MS = 60_000

/** `bench.sleep` (argument `ms`): the benchmark's "slow kitchen", a wait that uses no CPU. */
export const sleep: WhitelistedMethod = {
  async handler(args) {
    const ms = Math.max(0, Math.min(MAX_SLEEP_MS, Number(args.ms ?? 0) || 0))
    await new Promise((resolve) => setTimeout(resolve, ms))
    return 'ok'
  },
}
