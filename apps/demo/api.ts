import { currentContext, database, msgprint, publishJobProgress, type DocEventHandler, type WhitelistedMethod } from '../../src/index.js'

/** `doc_events` handler: tells the user, after the request, that an order went through. */
export const announceSubmission: DocEventHandler = (doc) => {
  msgprint(`Sales Order ${String(doc.name)} for ${String(doc.get('customer'))} is submitted`, { alert: 1, indicator: 'green' })
}

/** `demo.api.customer_summary`: open orders and totals of one customer. */
export const customerSummary: WhitelistedMethod = {
  methods: ['GET'],
  async handler(args) {
    const customer = String(args.customer ?? '')
    const rows = await database()
      .selectFrom('tabSales Order')
      .select(['status', (eb) => eb.fn.countAll<number>().as('orders'), (eb) => eb.fn.sum<number>('grand_total').as('total')])
      .where('customer', '=', customer)
      .where('docstatus', '=', 1)
      .groupBy('status')
      .orderBy('status')
      .execute()
    return { customer, user: currentContext().user, by_status: rows }
  },
}

/**
 * `demo.api.long_report` (argument `seconds`): a long call. Over HTTP it answers 202 with a job
 * ticket at once; the job publishes `task_progress` every second, then returns a small report.
 */
export const longReport: WhitelistedMethod = {
  long: { queue: 'long', timeout: 3600 },
  async handler(args) {
    const seconds = Math.max(0, Math.min(3600, Math.floor(Number(args.seconds ?? 5)) || 0))
    for (let done = 1; done <= seconds; done += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000))
      publishJobProgress([done, seconds], { title: 'Long report', description: `${done} of ${seconds} seconds` })
    }
    const customers = await database().selectFrom('tabCustomer').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst()
    return { seconds, customers: Number(customers?.count ?? 0), user: currentContext().user, generated_at: new Date().toISOString() }
  },
}
