import { InvalidNameError } from '../../errors/index.js'

/** The date parts a series may use (Frappe's `parse_naming_series`). */
export const DATE_TOKENS = ['YY', 'YYYY', 'MM', 'DD', 'WW', 'timestamp'] as const
export type DateToken = (typeof DATE_TOKENS)[number]

/** One piece of a naming series or `format:` expression, before a document fills it in. */
export type SeriesPart =
  /** `#…#`: the zero-padded counter, `digits` wide. Only the first one counts. */
  | { readonly kind: 'counter'; readonly digits: number }
  | { readonly kind: 'date'; readonly token: DateToken }
  /** `{fieldname}` in an old-style series: the field's value, empty when unset. */
  | { readonly kind: 'field'; readonly fieldname: string }
  /** A bare part: the value of the document's field of that name, else the text itself. */
  | { readonly kind: 'word'; readonly text: string }
  /** Text outside the braces of a `format:` expression, always taken as is. */
  | { readonly kind: 'literal'; readonly text: string }

// Python's `\w` under re.UNICODE is letters, numbers and `_`.
const NAMING_SERIES_PATTERN = /^[\p{L}\p{N}_\- /.#{}]+$/u
const BRACED_PARAMS_PATTERN = /\{[\p{L}\p{N}_ |#]+\}/gu

function isDateToken(text: string): text is DateToken {
  return (DATE_TOKENS as readonly string[]).includes(text)
}

function parsePart(text: string): SeriesPart {
  if (text.startsWith('#')) return { kind: 'counter', digits: text.length }
  if (isDateToken(text)) return { kind: 'date', token: text }
  if (text.startsWith('{')) return { kind: 'field', fieldname: text.replaceAll('{', '').replaceAll('}', '') }
  return { kind: 'word', text }
}

/**
 * Adds the default counter (`.#####`) to a series without one and checks its syntax, as
 * Frappe's `NamingSeries` does before it names anything.
 */
export function normalizeNamingSeries(series: string): string {
  const withCounter = series.includes('#') ? series : `${series}.#####`
  if (!withCounter.includes('.')) {
    throw new InvalidNameError(`Invalid naming series ${withCounter}: dot (.) missing`)
  }
  if (!NAMING_SERIES_PATTERN.test(withCounter)) {
    throw new InvalidNameError(
      `Special Characters except '-', '#', '.', '/', '{' and '}' not allowed in naming series ${withCounter}`,
    )
  }
  return withCounter
}

/** Splits an old-style series (`SINV-.YYYY.-.#####`) on dots; empty parts are dropped. */
export function parseNamingSeries(series: string): SeriesPart[] {
  return series
    .split('.')
    .filter((text) => text !== '')
    .map(parsePart)
}

/**
 * Parses the text after `format:` (`INV-{YYYY}-{customer}-{####}`): braced placeholders are
 * series parts, everything between them is literal.
 */
export function parseFormatExpression(expression: string): SeriesPart[] {
  const parts: SeriesPart[] = []
  let end = 0
  for (const match of expression.matchAll(BRACED_PARAMS_PATTERN)) {
    if (match.index > end) parts.push({ kind: 'literal', text: expression.slice(end, match.index) })
    parts.push(parsePart(match[0].slice(1, -1)))
    end = match.index + match[0].length
  }
  if (end < expression.length) parts.push({ kind: 'literal', text: expression.slice(end) })
  return parts
}
