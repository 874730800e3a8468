import type { Role } from '../store/store.js'

/** API tokens as the dashboard manages them (the collector's `api_tokens` table), on either backend. */
export interface ApiTokenRecord {
  id: string
  secretHash: string
  role: Role
  name: string
  createdAt: string
  revokedAt: string | null
  lastUsed: string | null
}

export interface ApiTokenStore {
  find(id: string): Promise<ApiTokenRecord | null>
  list(): Promise<ApiTokenRecord[]>
  create(token: Omit<ApiTokenRecord, 'revokedAt' | 'lastUsed'>): Promise<void>
  revoke(id: string, at: string): Promise<boolean>
  touch(id: string, at: string): Promise<void>
}

