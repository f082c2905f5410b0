// What every stage takes out of the environment it hands on.

/**
 * The environment for the next program of the chain: env less what would harm a next program
 * written in Node. NODE_CHANNEL_FD makes Node take that descriptor (fd 3 is checkpassword's) as
 * its own IPC channel; NODE_EXTRA_CA_CERTS makes every Node stage read a CA file at start-up
 * (about 50 ms of CPU on Node 20) for TLS client connections that no stage makes.
 */
export const nextEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const out = { ...env }
  delete out.NODE_CHANNEL_FD
  delete out.NODE_CHANNEL_SERIALIZATION_MODE
  delete out.NODE_EXTRA_CA_CERTS
  return out
}
