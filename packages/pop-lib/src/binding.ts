// Node's handle classes (pipe_wrap, process_wrap) without the public modules around them, for start-up.

// The runtimes (major versions) whose handle classes were tested with the calls popchain makes:
// a call a runtime does not expect fails a CHECK and aborts the process (Node 24's
// Process.spawn takes other arguments than Node 20's), so other runtimes use the public modules.
const TESTED: Record<string, number[]> = { pipe_wrap: [20, 24], process_wrap: [20] }

const pendingDeprecation = (): boolean =>
  process.execArgv.includes('--pending-deprecation') ||
  (process.env.NODE_OPTIONS ?? '').includes('--pending-deprecation') ||
  process.env.NODE_PENDING_DEPRECATION === '1'

/**
 * A binding from process.binding's allow-list (pipe_wrap, process_wrap), or null when the runtime
 * has none or would warn about it (with --pending-deprecation every process.binding call prints
 * DEP0111 on stderr); the caller then uses the public module. Why: node:net and
 * node:child_process cost milliseconds of start-up to load, and a net server's listen() also loads
 * node:cluster, which loads node:child_process and node:dgram. Only on the runtimes in TESTED;
 * POPCHAIN_BINDINGS=0 turns this off.
 */
export const legacyBinding = <T>(name: 'pipe_wrap' | 'process_wrap'): T | null => {
  const major = Number(process.versions.node.split('.')[0])
  if (!TESTED[name]!.includes(major)) return null
  if (process.env.POPCHAIN_BINDINGS === '0' || pendingDeprecation()) return null
  const binding = (process as unknown as { binding?: (name: string) => unknown }).binding
  if (typeof binding !== 'function') return null
  try {
    return binding(name) as T
  } catch {
    return null
  }
}
