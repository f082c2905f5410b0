// Password sources: system passwd/shadow with account states, the users file format, login names.
import t from 'tap'
import { shadowRefusal } from '../src/shadow-state.js'
import { systemSource } from '../src/system-source.js'
import { nssSource } from '../src/nss-source.js'
import { DUMMY_HASH } from '../src/account.js'
import { usersAccount, usersSource } from '../src/users-source.js'
import { badLoginName } from '../src/login-name.js'
import { outcome } from './fixtures/login.js'
import { creds, run } from './fixtures/run.js'
import { NOBODY, NOGROUP, passHash, world } from './fixtures/world.js'

const DAY = 86400000
const now = 20000 * DAY + 3600000

t.test('shadow states', async (t) => {
  const f = (s: string): string[] => `u:h:${s}`.split(':')
  t.equal(shadowRefusal(passHash, f('19000:0:99999:7:::'), now, false), null, 'an ordinary account')
  t.equal(shadowRefusal(passHash, f(':::::'), now, false), null, 'no dates at all')
  t.equal(shadowRefusal('', f('19000::::::'), now, false), 'empty password')
  for (const s of ['!', '*', '!!', '!' + passHash, '*LK*'])
    t.equal(shadowRefusal(s, f('19000::::::'), now, false), 'locked account', s)
  t.equal(
    shadowRefusal(passHash, f('19000:0:99999:7::20000:'), now, false),
    'expired account',
    'expires today',
  )
  t.equal(shadowRefusal(passHash, f('19000:0:99999:7::19999:'), now, false), 'expired account')
  t.equal(
    shadowRefusal(passHash, f('19000:0:99999:7::20001:'), now, false),
    null,
    'expires tomorrow',
  )
  t.equal(
    shadowRefusal(passHash, f('19000:0:99999:7::0:'), now, false),
    null,
    'expire 0 means none (shadow-utils)',
  )
  t.equal(
    shadowRefusal(passHash, f('19900:0:90:7:10::'), now, false),
    'inactive account (password expired)',
  )
  t.equal(
    shadowRefusal(passHash, f('19900:0:90:7:10::'), now, true),
    'inactive account (password expired)',
    'even with --ignore-aging',
  )
  t.equal(shadowRefusal(passHash, f('19900:0:90:7:::'), now, false), 'password expired')
  t.equal(shadowRefusal(passHash, f('19900:0:90:7:::'), now, true), null, '--ignore-aging')
  t.equal(shadowRefusal(passHash, f('0:0:99999:7:::'), now, false), 'password must be changed')
  t.equal(shadowRefusal(passHash, f('19950:0:90:7:::'), now, false), null, 'within the maximum age')
})

t.test('system source from files', async (t) => {
  const w = world()
  const src = systemSource({
    passwd: w.file(
      'passwd',
      `root:x:0:0:root:/root:/bin/bash\n+::::::\nold:${passHash}:1001:1001::/home/old:/bin/sh\nnew:x:1002:1002:N:/home/new:/bin/sh\norphan:x:1003:1003::/home/o:/bin/sh\nbad:x:abc:1::/:/bin/sh\n`,
    ),
    shadow: w.file('shadow', `root:*:19000:0:99999:7:::\nnew:${passHash}:19000:0:99999:7:::\n`),
    group: w.file('group', `g1:x:50:new\ng2:x:51:other,new,x\ng3:x:52:newer\n`),
    ignoreAging: false,
    primaryOnly: false,
    now: () => now,
  })
  t.match(src.lookup('new'), {
    name: 'new',
    stored: passHash,
    uid: 1002,
    gid: 1002,
    home: '/home/new',
    shell: '/bin/sh',
    refusal: null,
  })
  t.match(src.lookup('old'), { stored: passHash, refusal: null }, 'a hash in passwd itself')
  t.match(src.lookup('orphan'), { refusal: 'no shadow entry' })
  t.equal(src.lookup('bad'), null, 'a record with a bad uid is no account')
  t.equal(src.lookup('nobody'), null)
  t.equal(src.lookup('ne'), null, 'a prefix is not a match')
  t.same(src.groups(src.lookup('new')!), [1002, 50, 51])
  t.equal(src.dummy(), passHash, 'the dummy is the first real hash in shadow')
})

t.test('users file format', async (t) => {
  t.match(
    usersAccount(
      `a@example.org:{SHA512-CRYPT}${passHash}:5000:5000:Gecos:/var/mail/a:/bin/false:userdb_quota=1G`.split(
        ':',
      ),
    ),
    {
      name: 'a@example.org',
      stored: `{SHA512-CRYPT}${passHash}`,
      uid: 5000,
      gid: 5000,
      home: '/var/mail/a',
      shell: '/bin/false',
      refusal: null,
    },
  )
  t.match(
    usersAccount('a:{PLAIN}x'.split(':')),
    { refusal: 'no numeric uid and gid in the users file' },
    'a passdb-only line',
  )
  t.match(usersAccount('a:{PLAIN}x:1000:1000::relative:'.split(':')), {
    refusal: 'no absolute home directory in the users file',
  })
  t.match(usersAccount('a::1000:1000::/h:'.split(':')), { refusal: 'empty password' })
  t.match(usersAccount('a:!{PLAIN}x:1000:1000::/h:'.split(':')), { refusal: 'locked account' })
  const w = world()
  const src = usersSource(
    w.file(
      'users',
      `# comment\n\nfirst:${passHash}:1000:1000::/h:\r\nsecond:{PLAIN}two:1001:1001::/h2:/bin/sh\n#second:{PLAIN}hidden:1:1::/:\n`,
    ),
  )
  t.match(src.lookup('first'), { home: '/h', shell: '' }, 'CRLF line ends are tolerated')
  t.match(src.lookup('second'), { stored: '{PLAIN}two' })
  t.equal(src.lookup('#second'), null, 'comments are never records')
  t.equal(src.dummy(), passHash, 'the dummy is the first entry')
  t.same(src.groups(src.lookup('second')!), [1001])
})

t.test('login names', async (t) => {
  for (const ok of ['alice', 'a.b-c_d', 'a@example.org', 'ÿ', 'UPPER', 'x'.repeat(255)])
    t.equal(badLoginName(Buffer.from(ok, 'latin1')), null, ok)
  for (const bad of [
    '',
    '..',
    'a/b',
    'a:b',
    'a\nb',
    'a\rb',
    'a\tb',
    'a\x7fb',
    '-x',
    '+x',
    '+',
    'x'.repeat(256),
  ])
    t.not(badLoginName(Buffer.from(bad, 'latin1')), null, JSON.stringify(bad))
})

t.test('account states through the login decision', async (t) => {
  const w = world()
  const today = Math.floor(Date.now() / DAY)
  const passwd = ['ok', 'locked', 'expired', 'empty', 'nohash']
    .map((n, i) => `${n}:x:${NOBODY - i}:${NOGROUP}::${w.home}:/bin/sh`)
    .join('\n')
  const shadow = [
    `ok:${passHash}:${today - 1}:0:99999:7:::`,
    `locked:!${passHash}:${today - 1}::::::`,
    `expired:${passHash}:${today - 1}:0:99999:7::${today - 1}:`,
    `empty::${today - 1}::::::`,
  ].join('\n')
  const args = [
    '--passwd',
    w.file('passwd', passwd + '\n'),
    '--shadow',
    w.file('shadow', shadow + '\n'),
    '--group',
    w.file('group', ''),
    'true',
  ]
  const code = async (name: string, pw: string): Promise<string> => outcome(args, name, pw)
  t.equal(await code('ok', 'pass'), 'ok: ok')
  t.equal(await code('ok', 'wrong'), 'refused: wrong password')
  t.equal(await code('locked', 'pass'), 'refused: locked account')
  t.equal(await code('expired', 'pass'), 'refused: expired account')
  t.equal(await code('empty', ''), 'refused: wrong password', 'an empty password never verifies')
  t.equal(await code('nohash', 'pass'), 'refused: wrong password', 'no shadow entry: a dummy check')
  t.equal(await code('unknown', 'pass'), 'refused: unknown login')
  t.equal((await run(args, creds('ok', 'pass'))).code, 0, 'the program agrees')
  t.equal((await run(args, creds('locked', 'pass'))).code, 1)
  const unreadable = await run(
    ['--passwd', w.file('passwd2', passwd + '\n'), '--shadow', w.dir + '/none', 'true'],
    creds('ok', 'pass'),
  )
  t.equal(unreadable.code, 111, 'shadow that cannot be read: 111')
})

t.test('the NSS source takes its dummy from the local shadow file', async (t) => {
  const w = world()
  const base = { ignoreAging: false, primaryOnly: false, now: () => now }
  const shadow = w.file('shadow', `root:*:1::::::\nu:${passHash}:1::::::\n`)
  t.equal(nssSource({ ...base, dummy: null, localShadow: shadow }).dummy(), passHash)
  t.equal(nssSource({ ...base, dummy: null, localShadow: w.dir + '/none' }).dummy(), DUMMY_HASH)
  t.equal(nssSource({ ...base, dummy: '$1$x$y', localShadow: shadow }).dummy(), '$1$x$y')
  t.equal(
    nssSource({ ...base, dummy: null, localShadow: shadow }).lookup('no-such-user-here'),
    null,
  )
})
