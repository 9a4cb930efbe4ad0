import { Document, ValidationError } from '../../../../../src/index.js'

/** A customer of the demo shop. */
export class Customer extends Document {
  override async validate(): Promise<void> {
    const name = String(this.get('customer_name') ?? '').trim()
    if (name.length < 2) throw new ValidationError('Customer Name must have at least two characters')
    this.set('customer_name', name)
    const email = this.get('email_id')
    if (typeof email === 'string') this.set('email_id', email.trim().toLowerCase())
  }
}
