export { setChildNames, setNewName } from './set-new-name.js'
export { validateName } from './validate-name.js'
export { revertSeries } from './revert-series.js'
export type { NamingOptions } from './naming-options.js'
/** @internal Exported for tests. */
export { amendedName } from './amended-name.js'
/** @internal */
export { defaultNamingSeries, nameFromAutoname } from './autoname-rule.js'
/** @internal */
export { consecutiveWeek, formatDateToken, isoWeek } from './date-parts.js'
/** @internal */
export { nameExists, uniqueHashName } from './hash-name.js'
/** @internal */
export {
  composeName,
  counterIn,
  resolveSeries,
  type ResolvedSeries,
  type SeriesSource,
} from './resolve-series.js'
/** @internal */
export {
  SERIES_TABLE,
  currentSeriesValue,
  nextSeriesValue,
  stepSeriesBack,
} from './series-counter.js'
/** @internal */
export {
  DATE_TOKENS,
  normalizeNamingSeries,
  parseFormatExpression,
  parseNamingSeries,
  type DateToken,
  type SeriesPart,
} from './series-parts.js'
