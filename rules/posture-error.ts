/**
 * The one error type Posture throws across its parts. `code` is a stable, documented
 * identifier (callers branch on it, never on `message`); `exit` is the CLI exit code the
 * error maps to when it reaches a process boundary (DESIGN.md, "The posture command").
 */
export const errorCodes = {
  // Bad input: exit 2.
  BAD_USAGE: 2,
  BAD_RULE_FILE: 2,
  BAD_SNAPSHOT: 2,
  BAD_CONFIG: 2,
  BAD_INPUT: 2,
  UNKNOWN_DOMAIN: 2,
  RULE_TEST_FAILED: 2,
  /** A file the user named cannot be read (missing, permission): fix the input. */
  UNREADABLE: 2,
  // Could not run: exit 3.
  CANNOT_WRITE: 3,
  CONNECT_FAILED: 3,
  /** SSH: the server's host key differs from the pinned one; the scan is refused. */
  HOST_KEY_CHANGED: 3,
  /** SSH: the server accepted none of the keys offered (key file, ssh-agent). */
  AUTH_FAILED: 3,
  TIMEOUT: 3,
  INTERNAL: 3,
  DATA_DIR_LOCKED: 3,
} as const

export type ErrorCode = keyof typeof errorCodes

export class PostureError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PostureError'
    this.code = code
  }

  get exitCode(): number {
    return errorCodes[this.code]
  }
}

/** The message of anything thrown, for reasons recorded in findings and logs. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
