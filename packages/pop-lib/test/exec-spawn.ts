// exec.ts's tests on the spawn fallback (as on Node 20), started with Node's bare process handle.
process.env.POPCHAIN_EXEC = 'spawn'
delete process.env.POPCHAIN_BINDINGS
await import('./exec.js')
