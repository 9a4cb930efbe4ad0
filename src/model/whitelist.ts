/** How a whitelisted function was reached, for functions that depend on it (`run_doc_method`). */
export interface MethodCall {
  /** The request's HTTP verb (`GET`, `POST`…). */
  readonly verb: string
}

/** A function callable as `/api/method/<dotted.path>`: Frappe's `@frappe.whitelist()`. */
export interface WhitelistedMethod {
  /** The HTTP layer always passes `call`; code calling a handler directly may leave it out. */
  readonly handler: (args: Readonly<Record<string, unknown>>, call?: MethodCall) => unknown
  /** Callable without logging in (`allow_guest=True`). */
  readonly allowGuest?: boolean
  /** Allowed HTTP methods; Frappe's default allows all of them. */
  readonly methods?: readonly string[]
  /**
   * Long-running: over HTTP the call is queued as a background job and answered at once with
   * 202 and a ticket (`{job_id, status: "queued"}`); `true` means the `long` queue.
   */
  readonly long?: boolean | { readonly queue?: 'short' | 'default' | 'long'; readonly timeout?: number }
}

declare module '../context/site.js' {
  interface SiteServices {
    /** The explicit registry behind `/api/method`: a request never names a module to import. */
    readonly methods: ReadonlyMap<string, WhitelistedMethod>
  }
}
