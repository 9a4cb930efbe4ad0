import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { clusterWorker, parseProcessCount } from './cluster.js'

describe('parseProcessCount', () => {
  it('reads a positive integer, and "auto" as one process per core', () => {
    expect(parseProcessCount('1')).toBe(1)
    expect(parseProcessCount('4')).toBe(4)
    expect(parseProcessCount('auto')).toBe(availableParallelism())
  })

  it('refuses zero, fractions, negatives and words', () => {
    for (const text of ['0', '1.5', '-2', 'two', '']) expect(() => parseProcessCount(text)).toThrow(/Invalid process count/)
  })
})

describe('clusterWorker', () => {
  it('is undefined outside a cluster worker, whatever the environment says', () => {
    process.env.CORTADO_WORKER_SLOT = '0'
    try {
      expect(clusterWorker()).toBeUndefined()
    } finally {
      delete process.env.CORTADO_WORKER_SLOT
    }
  })
})
