// Every crypt scheme through the built program, whose schemes are chunks of their own (scripts/build.mjs).
import t from 'tap'
import { join } from 'node:path'
import { creds, run, scratch } from './fixtures/run.js'
import { vectors, wrong } from './fixtures/vectors.js'
import { NOBODY, NOGROUP } from './fixtures/world.js'
import { writeFileSync } from 'node:fs'

// One vector per method, with a password a users file and fd 3 can carry.
const picks = new Map<string, (typeof vectors)[number]>()
for (const v of vectors)
  if (!picks.has(v.method) && !v.password.includes(0) && !v.password.includes(0x3a))
    picks.set(v.method, v)

const dir = scratch()
const users = join(dir, 'users')
writeFileSync(
  users,
  [...picks.values()]
    .map((v, i) => `u${i}:${v.hash}:${NOBODY}:${NOGROUP}::${dir}:/bin/sh\n`)
    .join(''),
)

t.test('right and wrong passwords for each scheme', async (t) => {
  t.ok(picks.size >= 6, 'des, md5, sha256, sha512, bcrypt, yescrypt')
  let i = 0
  for (const [method, v] of picks) {
    const login = `u${i++}`
    const env = { POPCHECKPW_USERS: users }
    const good = await run(['true'], creds(login, v.password), { env })
    t.equal(good.code, 0, `${method}: right password`)
    const bad = await run(['true'], creds(login, wrong(v.password)), { env })
    t.equal(bad.code, 1, `${method}: wrong password`)
    t.match(bad.stderr, /reason=wrong password/, `${method}: logged`)
  }
})
