import type { Api } from './api.js'
import type { Permission, SessionInfo } from './session-types.js'

/** What every page gets: the API, who is signed in, and how to move around. */
export interface AppContext {
  api: Api
  session: SessionInfo
  can(permission: Permission): boolean
  navigate(hash: string): void
  notify(message: string, kind?: 'info' | 'error'): void
  /** The current time; pages format ages against it. */
  now(): number
}

/** A page: its element, and how to refresh it when a new report arrives. */
export interface Page {
  element: HTMLElement
  title: string
  refresh?(): Promise<void>
}

export type PageFactory = (ctx: AppContext, params: Record<string, string>, query: URLSearchParams) => Promise<Page>
