import type { FrappeApp } from 'frappe-js-sdk'

/** One `Set-Cookie` header, parsed: its value and attributes (names lower-cased). */
export interface SetCookie {
  readonly name: string
  readonly value: string
  readonly attributes: Readonly<Record<string, string | true>>
}

export function parseSetCookie(header: string): SetCookie {
  const [pair = '', ...rest] = header.split(';')
  const at = pair.indexOf('=')
  const attributes: Record<string, string | true> = {}
  for (const part of rest) {
    const [key = '', ...value] = part.trim().split('=')
    attributes[key.toLowerCase()] = value.length ? value.join('=') : true
  }
  return { name: pair.slice(0, at).trim(), value: pair.slice(at + 1).trim(), attributes }
}

/** The response's cookies by name (the last header for a name wins, as in a browser). */
export function cookiesOf(response: Response): Map<string, SetCookie> {
  return new Map(response.headers.getSetCookie().map((header) => {
    const cookie = parseSetCookie(header)
    return [cookie.name, cookie] as const
  }))
}

function isExpired(cookie: SetCookie): boolean {
  const expires = cookie.attributes.expires
  return cookie.attributes['max-age'] === '0' || (typeof expires === 'string' && new Date(expires).getTime() <= Date.now())
}

/** A minimal cookie jar for one server, as a browser would keep it (no domain or path rules). */
export class CookieJar {
  readonly #cookies = new Map<string, string>()

  store(headers: readonly string[]): void {
    for (const header of headers) {
      const cookie = parseSetCookie(header)
      if (isExpired(cookie)) this.#cookies.delete(cookie.name)
      else this.#cookies.set(cookie.name, cookie.value)
    }
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name)
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** fetch with this jar: sends its cookies, keeps the ones the response sets. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.#cookies.size) headers.set('cookie', this.header())
    const response = await fetch(url, { ...init, headers, redirect: 'manual' })
    this.store(response.headers.getSetCookie())
    return response
  }

  /** Adds the jar to an axios instance (frappe-js-sdk's `app.axios`): Node's axios keeps no cookies. */
  attach(axios: FrappeApp['axios']): void {
    axios.interceptors.request.use((config) => {
      if (this.#cookies.size) config.headers.set('Cookie', this.header())
      return config
    })
    const keep = (headers: unknown) => {
      const setCookie = (headers as Record<string, unknown> | undefined)?.['set-cookie']
      if (Array.isArray(setCookie)) this.store(setCookie.map(String))
    }
    axios.interceptors.response.use(
      (response) => {
        keep(response.headers)
        return response
      },
      (error: { response?: { headers?: unknown } }) => {
        keep(error.response?.headers)
        return Promise.reject(error)
      },
    )
  }
}
