// Whether this process should ask V8 for a WebAssembly memory at all.

/**
 * True where a WebAssembly memory could cost a login tens of milliseconds and still fail: under
 * an address-space limit (ulimit -v, softlimit -a or -m) V8 before 13 reserves about 10 GiB for
 * any memory (guard regions for its trap handler), collects garbage, retries and gives up (Node
 * 20: 10-70 ms, measured). Node's --disable-wasm-trap-handler (in `options`: the command line's
 * and NODE_OPTIONS) drops the guard regions; V8 13 (Node 24) reserves only the memory's maximum,
 * which every memory here has. `limits` gives the text of /proc/self/limits, null where none.
 */
export const memoryDoomed = (v8: string, options: string, limits: () => string | null): boolean => {
  if (Number(v8.split('.')[0]) >= 13) return false
  // NODE_OPTIONS may quote its words.
  if (/(^|[\s"])--disable-wasm-trap-handler([\s"]|$)/.test(options)) return false
  const text = limits()
  return text !== null && !/^Max address space\s+unlimited\s/m.test(text)
}

const procLimits = (): string | null => {
  try {
    return process.getBuiltinModule('node:fs').readFileSync('/proc/self/limits', 'latin1')
  } catch {
    return null
  }
}

let doomed: boolean | undefined

/** memoryDoomed for this process, worked out once. */
export const wasmMemoryDoomed = (): boolean =>
  (doomed ??= memoryDoomed(
    process.versions.v8,
    `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`,
    procLimits,
  ))
