import { DataError } from '../../errors/index.js'

/**
 * The only grammar a client may use in `fields`, `order_by` and `group_by` (spec 3.4, 3.5):
 * an identifier, a qualified identifier (`` `tabToDo`.`status` ``, `items.item_code`),
 * `count/sum/avg/min/max([distinct] identifier)`, `count(*)`, each with an optional `as alias`.
 * Anything else (sub-queries, other functions, `;`, comments, operators) fails to parse.
 */

/** A column as the client wrote it: `fieldname`, or `qualifier.fieldname`. */
export interface ColumnRef {
  readonly qualifier?: string
  readonly fieldname: string
}

export const AGGREGATES = ['count', 'sum', 'avg', 'min', 'max'] as const
export type Aggregate = (typeof AGGREGATES)[number]

export type ValueExpression =
  | { readonly kind: 'column'; readonly ref: ColumnRef }
  | {
      readonly kind: 'aggregate'
      readonly fn: Aggregate
      readonly distinct: boolean
      readonly arg: ColumnRef | '*'
    }

export interface FieldExpression {
  readonly expr: ValueExpression | { readonly kind: 'star' }
  readonly alias: string | undefined
  /** The text as the client sent it, trimmed: the result key of an unaliased aggregate. */
  readonly text: string
}

type Token =
  | { readonly type: 'word'; readonly value: string }
  | { readonly type: 'quoted'; readonly value: string }
  | { readonly type: '.' | '(' | ')' | '*' }

const WORD = /^[A-Za-z_][A-Za-z0-9_]*/
// Quoted identifiers may hold spaces (`tabSales Invoice`) but no quotes or control characters.
const QUOTED = /^`([^`\p{Cc}]+)`|^"([^"\p{Cc}]+)"/u
const MAX_LENGTH = 300

/** Internal: turned into a DataError that names the client's text. */
class Unparsable extends Error {}

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let rest = text
  while (rest.length > 0) {
    const first = rest.charAt(0)
    if (/\s/.test(first)) {
      rest = rest.slice(1)
    } else if (first === '.' || first === '(' || first === ')' || first === '*') {
      tokens.push({ type: first })
      rest = rest.slice(1)
    } else {
      const quoted = QUOTED.exec(rest)
      const word = quoted ? undefined : WORD.exec(rest)
      if (quoted) tokens.push({ type: 'quoted', value: (quoted[1] ?? quoted[2] ?? '').trim() })
      else if (word) tokens.push({ type: 'word', value: word[0] })
      else throw new Unparsable()
      rest = rest.slice((quoted ?? word)?.[0].length ?? rest.length)
    }
  }
  return tokens
}

interface Cursor {
  readonly tokens: readonly Token[]
  peek(offset?: number): Token | undefined
  take(): Token
  isKeyword(keyword: string, offset?: number): boolean
  readonly done: boolean
}

function createCursor(tokens: readonly Token[]): Cursor {
  let at = 0
  return {
    tokens,
    peek: (offset = 0) => tokens[at + offset],
    take() {
      const token = tokens[at++]
      if (!token) throw new Unparsable()
      return token
    },
    isKeyword(keyword, offset = 0) {
      const token = tokens[at + offset]
      return token?.type === 'word' && token.value.toLowerCase() === keyword
    },
    get done() {
      return at >= tokens.length
    },
  }
}

function expect(cursor: Cursor, type: '.' | '(' | ')' | '*'): void {
  if (cursor.take().type !== type) throw new Unparsable()
}

function readName(cursor: Cursor): string {
  const token = cursor.take()
  if ((token.type !== 'word' && token.type !== 'quoted') || token.value === '') {
    throw new Unparsable()
  }
  return token.value
}

function readRef(cursor: Cursor): ColumnRef {
  const first = readName(cursor)
  if (cursor.peek()?.type !== '.') return { fieldname: first }
  cursor.take()
  return { qualifier: first, fieldname: readName(cursor) }
}

function readValue(cursor: Cursor): ValueExpression {
  const head = cursor.peek()
  const fn = head?.type === 'word' ? head.value.toLowerCase() : ''
  if (!isAggregate(fn) || cursor.peek(1)?.type !== '(')
    return { kind: 'column', ref: readRef(cursor) }
  cursor.take()
  expect(cursor, '(')
  // `count(distinct)` counts a column named `distinct`
  const distinct = cursor.isKeyword('distinct') && cursor.peek(1)?.type !== ')'
  if (distinct) cursor.take()
  let arg: ColumnRef | '*'
  if (cursor.peek()?.type === '*' && fn === 'count' && !distinct) {
    cursor.take()
    arg = '*'
  } else {
    arg = readRef(cursor)
  }
  expect(cursor, ')')
  return { kind: 'aggregate', fn, distinct, arg }
}

function isAggregate(word: string): word is Aggregate {
  return (AGGREGATES as readonly string[]).includes(word)
}

function parse<T>(text: string, what: string, read: (cursor: Cursor) => T): T {
  const trimmed = text.trim()
  try {
    if (trimmed === '' || trimmed.length > MAX_LENGTH) throw new Unparsable()
    const cursor = createCursor(tokenize(trimmed))
    const result = read(cursor)
    if (!cursor.done) throw new Unparsable()
    return result
  } catch (error) {
    if (error instanceof Unparsable) throw new DataError(`${what}: ${trimmed}`)
    throw error
  }
}

/** One entry of `fields`: `*`, a column or an aggregate, with an optional `as alias`. */
export function parseFieldExpression(text: string): FieldExpression {
  return parse(text, 'Field not permitted in query', (cursor) => {
    if (cursor.peek()?.type === '*' && cursor.tokens.length === 1) {
      cursor.take()
      return { expr: { kind: 'star' }, alias: undefined, text: text.trim() }
    }
    const expr = readValue(cursor)
    let alias: string | undefined
    if (cursor.isKeyword('as')) {
      cursor.take()
      alias = readName(cursor)
    }
    return { expr, alias, text: text.trim() }
  })
}

/** A column or aggregate without an alias, as `order_by` and `group_by` name them. */
export function parseValueExpression(text: string, what: string): ValueExpression {
  return parse(text, what, readValue)
}

/** A filter's field: a plain or qualified column, never an aggregate. */
export function parseColumnRef(text: string): ColumnRef {
  return parse(text, 'Field not permitted in query', readRef)
}
