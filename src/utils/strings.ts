/** Frappe's `scrub`: `Sales Invoice` → `sales_invoice`, the folder and file name of a DocType. */
export function scrub(text: string): string {
  return text.replaceAll(' ', '_').replaceAll('-', '_').toLowerCase()
}

/** `before_save` → `beforeSave`: Frappe's hook names as method names. */
export function camelCase(snake: string): string {
  return snake.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase())
}

/** `before_save` ← `beforeSave`. */
export function snakeCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
}

/** `sales_order` → `SalesOrder`. */
export function pascalCase(text: string): string {
  return scrub(text)
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')
}
