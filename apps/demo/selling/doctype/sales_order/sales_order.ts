import {
  Document,
  ValidationError,
  getDocument,
  saveDocument,
  whitelistDocMethods,
} from '../../../../../src/index.js'

const round2 = (value: number): number => Math.round(value * 100) / 100

/**
 * A submittable order with item rows. Shows each kind of hook: totals in `validate`, a credit
 * check against another document, status changes on submit, update-after-submit and cancel,
 * and a write to the customer (a nested save in the same transaction) on submit and cancel.
 */
export class SalesOrder extends Document {
  /**
   * Methods clients may call on an order (`run_method`, `run_doc_method`, v2's `…/method/{m}`),
   * besides the `submit`, `cancel` and `rename` every document has.
   */
  static readonly whitelistedMethods = whitelistDocMethods<SalesOrder>({
    /** The items not delivered yet; runs on the stored order or on one the client sends. */
    pending_items: { run: (doc) => doc.pendingItems() },
    /** Marks one item (by `item_name`), or every item, delivered on a submitted order. */
    mark_delivered: { methods: ['POST'], run: (doc, args) => doc.markDelivered(typeof args.item_name === 'string' ? args.item_name : undefined) },
  })

  pendingItems(): string[] {
    return this.getTable('items').filter((row) => !row.get('delivered')).map((row) => String(row.get('item_name')))
  }

  async markDelivered(itemName?: string): Promise<string[]> {
    if (this.docstatus !== 1) throw new ValidationError('Only a submitted Sales Order can be delivered')
    for (const row of this.getTable('items')) if (itemName === undefined || row.get('item_name') === itemName) row.set('delivered', 1)
    await saveDocument(this)
    return this.pendingItems()
  }

  override async validate(): Promise<void> {
    let totalQty = 0
    let grandTotal = 0
    for (const row of this.getTable('items')) {
      const qty = Number(row.get('qty') ?? 0)
      if (qty <= 0) throw new ValidationError(`Row #${String(row.get('idx'))}: Quantity must be greater than 0`)
      const amount = round2(qty * Number(row.get('rate') ?? 0))
      row.set('amount', amount)
      totalQty += qty
      grandTotal += amount
    }
    this.set('total_qty', totalQty)
    this.set('grand_total', round2(grandTotal))
    await this.checkCredit()
  }

  private async checkCredit(): Promise<void> {
    const customer = await getDocument('Customer', String(this.get('customer')))
    if (customer.get('disabled')) throw new ValidationError(`Customer ${customer.name} is disabled`)
    const limit = Number(customer.get('credit_limit') ?? 0)
    if (limit > 0 && Number(this.get('grand_total')) > limit) {
      throw new ValidationError(`Grand Total ${String(this.get('grand_total'))} exceeds the credit limit ${limit} of ${customer.name}`)
    }
  }

  override async beforeSubmit(): Promise<void> {
    this.set('status', 'To Deliver')
  }

  override async onSubmit(): Promise<void> {
    await this.addToCustomerTotal(Number(this.get('grand_total')))
  }

  override async beforeUpdateAfterSubmit(): Promise<void> {
    const rows = this.getTable('items')
    this.set('status', rows.length > 0 && rows.every((row) => row.get('delivered')) ? 'Completed' : 'To Deliver')
  }

  override async beforeCancel(): Promise<void> {
    this.set('status', 'Cancelled')
  }

  override async onCancel(): Promise<void> {
    await this.addToCustomerTotal(-Number(this.get('grand_total')))
  }

  private async addToCustomerTotal(amount: number): Promise<void> {
    const customer = await getDocument('Customer', String(this.get('customer')))
    customer.set('total_ordered', round2(Number(customer.get('total_ordered') ?? 0) + amount))
    if (amount > 0) customer.set('last_order_date', this.get('transaction_date'))
    await saveDocument(customer, { ignorePermissions: true })
  }
}
