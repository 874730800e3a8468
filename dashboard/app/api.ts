/**
 * Talks to the collector's JSON API with the session cookie. Every state change carries
 * the session's CSRF token in X-CSRF-Token (collector/auth/csrf.ts).
 */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly retryAfterSeconds: number | null

  constructor(status: number, code: string, message: string, retryAfterSeconds: number | null = null) {
    super(message)
    this.status = status
    this.code = code
    this.retryAfterSeconds = retryAfterSeconds
  }
}

export interface Api {
  get<T>(path: string): Promise<T>
  send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>
  setCsrfToken(token: string | null): void
}

export function createApi(onUnauthorized: () => void): Api {
  let csrfToken: string | null = null
  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    })
    const text = await response.text()
    const data: unknown = text ? JSON.parse(text) : null
    if (!response.ok) {
      const error = isErrorBody(data) ? data.error : { code: 'HTTP_' + response.status, message: response.statusText }
      const retry = response.headers.get('retry-after')
      // A signed-in page whose session ended goes back to the sign-in form.
      if (response.status === 401 && csrfToken !== null && !path.startsWith('/api/auth/')) onUnauthorized()
      throw new ApiError(response.status, error.code, error.message, retry === null ? null : Number(retry))
    }
    return data as T
  }
  return {
    get: (path) => request('GET', path),
    send: (method, path, body) => request(method, path, body),
    setCsrfToken(token) {
      csrfToken = token
    },
  }
}

/** The API's error body: `{ error: { code, message } }` (collector/http/http-errors.ts). */
function isErrorBody(data: unknown): data is { error: { code: string; message: string } } {
  if (typeof data !== 'object' || data === null) return false
  const error = (data as { error?: unknown }).error
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' && typeof (error as { message?: unknown }).message === 'string'
}
