/**
 * JSON as Python's `json.dumps` writes it (`", "` and `": "` separators, non-ASCII escaped),
 * which is how Frappe encodes `_server_messages`; clients parse it either way, but byte-equal
 * output keeps snapshot-testing clients happy.
 */
export function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, entry]) => entry !== undefined)
    return `{${entries.map(([key, entry]) => `${asciiJson(key)}: ${pythonJson(entry)}`).join(', ')}}`
  }
  return asciiJson(value ?? null)
}

function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
