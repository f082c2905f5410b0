// Fuzz pop-checkpassword's fd 3, and try hostile login names against every password source.
import t from 'tap'
import fc from 'fast-check'
import { writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { notRoot } from './fixtures/rel-serve.js'
import { check, creds, pool, RAN, makeAccounts } from './fixtures/rel-cpw.js'
import { crashed } from './fixtures/rel-fuzz.js'

const RUNS = Number(process.env.REL_FUZZ_RUNS ?? 30)
/** SHA-512 crypt of pw-erin, made with mkpasswd (libxcrypt). */
const ERIN_HASH =
  '$6$relsaltrelsalt$feDO6mGkjt6wDZkJyBL7fobwPwmZskR309CrBbdoXFTbxZ8M/1jJe5NeYvXWUVnJZFPSFKwdhWAA8jK2tyS0s.'

t.test(
  'pop-checkpassword against hostile fd 3 data and login names',
  { skip: notRoot() },
  async (t) => {
    const { dir, home, users } = makeAccounts(t, 'rel-cpw', (home) =>
      [
        `alice:{PLAIN}pw-alice:65534:65534::${home}::`,
        `bob\0x:{PLAIN}pw-bob:65534:65534::${home}::`,
        `dave/..:{PLAIN}pw-dave:65534:65534::${home}::`,
        `-erin:{PLAIN}pw-erin:65534:65534::${home}::`,
        '',
      ].join('\n'),
    )
    const passwd = join(dir, 'passwd')
    const shadow = join(dir, 'shadow')
    const group = join(dir, 'group')
    writeFileSync(
      passwd,
      `erin:x:65534:65534:Erin:${home}:/bin/sh\nfr/ed:x:65534:65534::${home}:/bin/sh\n`,
    )
    writeFileSync(
      shadow,
      `erin:${ERIN_HASH}:19000:0:99999:7:::\nfr/ed:${ERIN_HASH}:19000:0:99999:7:::\n`,
    )
    writeFileSync(group, 'nogroup:x:65534:\n')
    chmodSync(shadow, 0o600)
    const sources: Record<string, { args: string[]; user: string; pw: string; control?: false }> = {
      'users file': { args: ['--users', users], user: 'alice', pw: 'pw-alice' },
      'system files': {
        args: ['--passwd', passwd, '--shadow', shadow, '--group', group],
        user: 'erin',
        pw: 'pw-erin',
      },
      // the host's own accounts through getent: no account here has a password we know, so no
      // control login; the hostile names must fail all the same
      'NSS (getent)': {
        args: ['--nss', '--min-uid', '0'],
        user: 'nobody',
        pw: 'Nss-Rel-pw-551',
        control: false,
      },
    }

    for (const [name, src] of Object.entries(sources)) {
      await t.test(`${name}: hostile login names never log in`, async (t) => {
        if (src.control !== false) {
          const good = await check(src.args, creds(src.user, src.pw))
          t.equal(good.code, 0, 'control: the real login works')
          t.match(good.stdout, RAN, 'control: PROG ran')
        }
        const u = src.user
        const hostile = [
          `${u}\n`,
          `\n${u}`,
          `${u}\r`,
          `${u}/`,
          `../${u}`,
          `${u}/..`,
          `./${u}`,
          `${u}:`,
          `${u}:x`,
          `${u}:x:65534:65534::${home}::`,
          `${u}:{PLAIN}${src.pw}`,
          `${u} `,
          ` ${u}`,
          `+${u}`,
          `-${u}`,
          `${u}\t`,
          `${u}\x7f`,
          `${u}\x80`,
          '',
          '..',
          '/',
          ':',
          '*',
          'bob',
          'bob\x00x',
          'dave/..',
          '-erin',
          'fr/ed',
          'root',
          'nobody',
        ]
        const ran: string[] = []
        const codes = new Map<number | null, number>()
        await pool(hostile, 4, async (login) => {
          const r = await check(src.args, creds(login, src.pw))
          codes.set(r.code, (codes.get(r.code) ?? 0) + 1)
          if (r.stdout.includes(RAN)) ran.push(JSON.stringify(login))
          if (r.code !== 1)
            t.fail(`${JSON.stringify(login)}: exit ${r.code} ${r.signal ?? ''} ${r.stderr}`)
          if (crashed(r.stderr)) t.fail(`${JSON.stringify(login)}: crash: ${r.stderr}`)
          if (!login.includes(src.pw) && r.stderr.includes(src.pw))
            t.fail(`the password is in the log: ${r.stderr}`)
        })
        t.same(ran, [], 'PROG never ran for a hostile name')
        t.comment(
          `${name}: ${hostile.length} hostile logins, exits ${[...codes].map(([c, n]) => `${c}x${n}`).join(' ')}`,
        )
      })
    }

    await t.test('oversized and malformed fd 3 data', async (t) => {
      const cases: [string, Buffer, number][] = [
        ['513 bytes', creds('alice', 'p'.repeat(513 - 'alice'.length - 3 - 7), '<1.2@x>'), 2],
        ['64 KB', Buffer.alloc(65536, 0x41), 2],
        ['1 MB of NULs', Buffer.alloc(1 << 20), 2],
        ['empty', Buffer.alloc(0), 2],
        ['no NUL', Buffer.from('alice pw-alice'), 2],
        ['one NUL', Buffer.from('alice\0pw-alice'), 2],
      ]
      for (const [what, data, want] of cases) {
        const r = await check(sources['users file']!.args, data)
        t.equal(r.code, want, `${what}: exit ${want}`)
        t.notMatch(r.stdout, RAN, `${what}: PROG did not run`)
        t.notOk(crashed(r.stderr), `${what}: no crash`)
      }
      const at512 = creds('alice', 'p'.repeat(512 - 'alice'.length - 3 - 7))
      t.equal(at512.length, 512)
      t.equal(
        (await check(sources['users file']!.args, at512)).code,
        1,
        '512 bytes: read, a wrong password',
      )
      const exact = creds('alice', 'pw-alice')
      t.equal(
        (
          await check(
            sources['users file']!.args,
            Buffer.concat([exact, Buffer.from('trailing junk')]),
          )
        ).code,
        0,
        'data after the third NUL is ignored, as the interface allows',
      )
    })

    await t.test('property: random fd 3 bytes never log in and never crash', async (t) => {
      let cases = 0
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 700 }).map((a) => Buffer.from(a)),
        fc
          .tuple(
            fc.string({ unit: 'binary', maxLength: 300 }),
            fc.string({ unit: 'binary', maxLength: 300 }),
            fc.string({ maxLength: 40 }),
          )
          .map(([l, s, ts]) => Buffer.from(`${l}\0${s}\0${ts}\0`, 'latin1')),
        fc
          .tuple(
            fc.constantFrom('alice', 'alice\n', 'alice:', '../alice', 'ALICE'),
            fc.string({ unit: 'binary', maxLength: 40 }),
          )
          .map(([l, s]) => creds(l, s)),
      )
      // sampled, then run four at a time: each case is a process start
      const samples = fc.sample(bytes, {
        numRuns: RUNS,
        seed: process.env.REL_SEED ? Number(process.env.REL_SEED) : Date.now() % 2 ** 31,
      })
      await pool(samples, 4, async (data) => {
        const r = await check(sources['users file']!.args, data)
        cases++
        const problems: string[] = []
        if (r.stdout.includes(RAN)) problems.push('PROG ran')
        if (r.code !== 1 && r.code !== 2) problems.push(`exit ${r.code} ${r.signal ?? ''}`)
        if (data.length > 512 && r.code !== 2) problems.push(`over 512 bytes but exit ${r.code}`)
        if (crashed(r.stderr)) problems.push(`crash: ${r.stderr}`)
        if (problems.length > 0)
          t.fail(`${JSON.stringify(data.toString('latin1'))}: ${problems.join('; ')}`)
      })
      t.pass(`${cases} random fd 3 inputs`)
      t.comment(`fuzz-checkpassword: ${cases} random fd 3 cases`)
    })
  },
)
