/**
 * needrestart's batch mode (`needrestart -b`, README.batch.md): `NEEDRESTART-<KEY>: <value>`
 * lines. Anything else — Perl warnings interleaved when stderr is merged — is ignored.
 */
export interface NeedrestartReport {
  version: string | null
  kernel: {
    running: string | null
    expected: string | null
    /**
     * KSTA (NeedRestart/Kernel.pm): 0 unknown (no kernel image found: containers, empty
     * /boot), 1 running the newest, 2 ABI upgrade pending, 3 version upgrade pending.
     */
    status: 0 | 1 | 2 | 3 | null
  }
  /** UCSTA: 0 unknown, 1 current, 2 a newer microcode is installed but not loaded. */
  microcodeStatus: 0 | 1 | 2 | null
  microcode: { current: string | null; expected: string | null }
  services: string[]
  containers: string[]
  sessions: string[]
}

const kernelStatuses = [0, 1, 2, 3] as const
const microcodeStatuses = [0, 1, 2] as const

export function parseNeedrestartBatch(text: string): NeedrestartReport | null {
  const values = new Map<string, string[]>()
  for (const line of text.split('\n')) {
    const match = /^NEEDRESTART-([A-Z]+):\s?(.*)$/.exec(line)
    if (!match) continue
    const list = values.get(match[1]!) ?? []
    list.push(match[2]!.trim())
    values.set(match[1]!, list)
  }
  if (values.size === 0) return null
  const first = (key: string): string | null => {
    const value = values.get(key)?.[0]
    return value === undefined || value === '' ? null : value
  }
  return {
    version: first('VER'),
    kernel: { running: first('KCUR'), expected: first('KEXP'), status: kernelStatuses.find((c) => String(c) === first('KSTA')) ?? null },
    microcodeStatus: microcodeStatuses.find((c) => String(c) === first('UCSTA')) ?? null,
    microcode: { current: first('UCCUR'), expected: first('UCEXP') },
    services: values.get('SVC') ?? [],
    containers: values.get('CONT') ?? [],
    sessions: values.get('SESS') ?? [],
  }
}
