// exec.ts's tests on the spawn fallback started with node:child_process (no bare handle).
process.env.POPCHAIN_EXEC = 'spawn'
process.env.POPCHAIN_BINDINGS = '0'
await import('./exec.js')
