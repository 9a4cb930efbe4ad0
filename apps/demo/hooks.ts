import type { AppHooks } from '../../src/index.js'
import { announceSubmission, customerSummary, longReport } from './api.js'

/** The demo app's hooks: the TypeScript form of a Frappe app's hooks.py. */
export const hooks: AppHooks = {
  app_name: 'demo',
  app_title: 'Cortado Demo',
  doc_events: {
    'Sales Order': { on_submit: announceSubmission },
  },
  whitelisted_methods: {
    'demo.api.customer_summary': customerSummary,
    'demo.api.long_report': longReport,
  },
}
