/** A function callable as `/api/method/<dotted.path>`: Frappe's `@frappe.whitelist()`. */
export interface WhitelistedMethod {
  readonly handler: (args: Readonly<Record<string, unknown>>) => unknown
  /** Callable without logging in (`allow_guest=True`). */
  readonly allowGuest?: boolean
  /** Allowed HTTP methods; Frappe's default allows all of them. */
  readonly methods?: readonly string[]
}

declare module '../context/site.js' {
  interface SiteServices {
    /** The explicit registry behind `/api/method`: a request never names a module to import. */
    readonly methods: ReadonlyMap<string, WhitelistedMethod>
  }
}
