/** One step of a request, recorded when developer mode is on (the `_debug_trace` response key). */
export type TraceEntry =
  | { readonly kind: 'hook'; readonly hook: string; readonly doctype: string; readonly name: string | undefined; readonly source: string }
  | { readonly kind: 'sql'; readonly sql: string; readonly parameters: readonly unknown[] }
  | { readonly kind: 'after_commit'; readonly label: string }
  | { readonly kind: 'transaction'; readonly event: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'rollback_to_savepoint' }
