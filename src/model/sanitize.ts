import sanitizeHtml from 'sanitize-html'
import type { DocField } from '../meta/index.js'
import type { Document } from './document.js'

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'span', 'u', 's', 'font', 'figure', 'figcaption'],
  allowedAttributes: {
    ...sanitizeHtml.defaults.allowedAttributes,
    '*': ['class', 'data-*', 'title', 'align'],
    img: ['src', 'alt', 'width', 'height'],
    a: ['href', 'name', 'target', 'rel'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
}

/** Fieldtypes Frappe stores as typed: plain text, code and files are not HTML. */
const NOT_HTML = new Set(['Data', 'Small Text', 'Text', 'Attach', 'Attach Image', 'Barcode', 'Code', 'Password', 'JSON'])

function needsSanitizing(doc: Document, field: DocField, value: unknown): value is string {
  if (typeof value !== 'string' || !value.includes('<')) return false
  if (field.ignore_xss_filter || NOT_HTML.has(field.fieldtype)) return false
  // As Frappe's `_sanitize_content`: submitted values that cannot change are left alone.
  return !(doc.docstatus === 2 || (doc.docstatus === 1 && !field.allow_on_submit))
}

/**
 * Frappe's XSS filter on save (spec 6.3 step 6): rich-text values keep their formatting but lose
 * scripts, event handlers and `javascript:` links. Rows are sanitised too.
 */
export function sanitizeContent(doc: Document): void {
  for (const { field } of doc.meta.columns) {
    const value = doc.get(field.fieldname)
    if (needsSanitizing(doc, field, value)) doc.set(field.fieldname, sanitizeHtml(value, OPTIONS))
  }
  for (const field of doc.meta.tableFields) {
    for (const row of doc.getTable(field.fieldname)) sanitizeContent(row)
  }
}
