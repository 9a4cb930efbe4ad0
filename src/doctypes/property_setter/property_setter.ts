import { Document } from '../../model/index.js'
import { applyCustomizations } from '../custom_field/custom_field.js'

/** One property of a DocType or of one of its fields, overridden at run time. */
export class PropertySetter extends Document {
  override async autoname(): Promise<void> {
    const field = this.get('field_name')
    this.name = [this.get('doc_type'), field, this.get('property')].filter(Boolean).map(String).join('-')
  }

  override async onUpdate(): Promise<void> {
    await applyCustomizations(String(this.get('doc_type')))
  }

  override async afterDelete(): Promise<void> {
    await applyCustomizations(String(this.get('doc_type')))
  }
}
