import type { AppHooks } from '../../src/index.js'
import { sleep } from './api.js'

/** The benchmark app (../shared/bench contract): the `Bench Note` DocType and `bench.sleep`. */
export const hooks: AppHooks = {
  app_name: 'bench_app',
  app_title: 'Cortado Bench',
  whitelisted_methods: {
    'bench.sleep': sleep,
  },
}
