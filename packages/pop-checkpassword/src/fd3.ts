// Reads the checkpassword data from fd 3, telling a descriptor the caller gave from one Node opened itself.
import { fstatSync } from 'node:fs'
import { CREDS_MAX } from '../../pop-lib/src/creds.js'
import { usage } from '../../pop-lib/src/exit-codes.js'
import { readFdToEnd } from '../../pop-lib/src/read-fd.js'

/**
 * Reads fd to end of file (at most 512 bytes) and closes it. When the caller left fd 3 closed,
 * Node's own event loop descriptor (an anonymous inode) takes the number at start-up: reading or
 * closing that would wreck the runtime, so only a pipe, socket, regular file or character device
 * counts as given. Anything else is misuse (2), as a closed descriptor is.
 */
export const readCredsFd = (fd = 3): Buffer => {
  let ok = false
  try {
    const st = fstatSync(fd)
    ok = st.isFIFO() || st.isSocket() || st.isFile() || st.isCharacterDevice()
  } catch {
    // not open
  }
  if (!ok) usage(`fd ${fd} is not open: run me with the checkpassword data on fd 3`)
  return readFdToEnd(fd, CREDS_MAX)
}
