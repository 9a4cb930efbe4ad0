import { currentContext, database, msgprint, type DocEventHandler, type WhitelistedMethod } from '../../src/index.js'

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
