import type { SessionInfo } from '../../collector/http/routes/session-info.js'

/** What the dashboard knows about who is signed in (GET /api/session). */
export type { SessionInfo }
export type Permission = SessionInfo['permissions'][number]
