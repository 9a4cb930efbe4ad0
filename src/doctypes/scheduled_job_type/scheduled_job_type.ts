import { Document } from '../../model/index.js'

/** Frappe's ScheduledJobType: named by the last two parts of its method (`tasks.every_tick`). */
export class ScheduledJobType extends Document {
  override async autoname(): Promise<void> {
    this.name = String(this.get('method')).split('.').slice(-2).join('.')
  }
}
