// Node's handle classes (pipe_wrap, process_wrap) without the public modules around them, for start-up.

const pendingDeprecation = (): boolean =>
  process.execArgv.includes('--pending-deprecation') ||
  (process.env.NODE_OPTIONS ?? '').includes('--pending-deprecation') ||
  process.env.NODE_PENDING_DEPRECATION === '1'

/**
 * A binding from process.binding's allow-list (pipe_wrap, process_wrap), or null when the runtime
 * has none or would warn about it (with --pending-deprecation every process.binding call prints
 * DEP0111 on stderr); the caller then uses the public module. Why: node:net and
 * node:child_process cost milliseconds of start-up to load, and a net server's listen() also loads
 * node:cluster, which loads node:child_process and node:dgram. POPCHAIN_BINDINGS=0 turns this off.
 */
export const legacyBinding = <T>(name: 'pipe_wrap' | 'process_wrap'): T | null => {
  if (process.env.POPCHAIN_BINDINGS === '0' || pendingDeprecation()) return null
  const binding = (process as unknown as { binding?: (name: string) => unknown }).binding
  if (typeof binding !== 'function') return null
  try {
    return binding(name) as T
  } catch {
    return null
  }
}
