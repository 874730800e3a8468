/** JSON a tool printed, or undefined when it printed something else (an error text, nothing). */
export function parseJsonOutput(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined // not JSON: callers report the command's own output instead
  }
}

/** The first line of a tool's output, for reasons. */
export function firstLine(text: string): string {
  return text.trim().split('\n')[0] || 'no output'
}
