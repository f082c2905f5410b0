// SHA-256 and SHA-512 crypt's hashing as WebAssembly: the bytes sha-crypt-wasm-asm.ts assembles,
// kept here so that a login does not pay for assembling them (test/sha-crypt-wasm.ts checks they
// agree), and the engine sha-crypt.ts drives.
import type { ShaEngine } from './sha-crypt-engine.js'
import { C, INPUT, KS, SCHED } from './sha-crypt-wasm-layout.js'

/** SHA-256, base-64. */
export const SHA256_WASM = [
  'AGFzbQEAAAABEAJgA39/fwBgBn9/f39/fwADAwIAAQUDAQABBxkDA21lbQIABmRpZ2VzdAAABnJvdW5kcwABCusQArIPAxJ/',
  'Bn8BfiABQUBxIRlBgARBAEGAAfwLAEGABCAAIBlqIAEgGWv8CgAAIAEgGWtBgAE6AIAEQYAFQcAEIAEgGWtBCWpBwABLGyEa',
  'IBpBCGsgAa1CA4YhGyAbQgiIQv+B/Ifwn8D/AIMgG0L/gfyH8J/A/wCDQgiGhCEbIBtCEIhC//+DgPD/P4MgG0L//4OA8P8/',
  'g0IQhoQhGyAbQiCIIBtCIIaENwMAQefMp9AGIQtBhd2e23shDEHy5rvjAyENQbrqv6p6IQ5B/6S5iAUhD0GM0ZXYeSEQQauz',
  'j/wBIRFBmZqD3wUhEiAAIRUgACAZaiEWAkADQCAVIBZGBEAgFw0CQQEhF0GABCEVIBohFgtBACEYA0AgGCAVIBhqKAIAIRQg',
  'FEEIdkH/gfwHcSAUQf+B/AdxQQh0ciEUIBRBEHYgFEEQdHI2AoAQIBhBBGohGCAYQcAASQ0AC0EAIRgDQCAYIBgoArgQIRQg',
  'FEERdiAUQQ90ciAUQRN2IBRBDXRycyAUQQp2cyAYKAKkEGogGCgChBAhFCAUQQd2IBRBGXRyIBRBEnYgFEEOdHJzIBRBA3Zz',
  'aiAYKAKAEGo2AsAQIBhBBGohGCAYQcABSQ0ACyALIQMgDCEEIA0hBSAOIQYgDyEHIBAhCCARIQkgEiEKQQAhGANAIAogB0EG',
  'diAHQRp0ciAHQQt2IAdBFXRycyAHQRl2IAdBB3Ryc2ogCSAHIAggCXNxc2ogGCgCgAhqIBgoAoAQaiETIAYgE2ohBiATIANB',
  'AnYgA0EedHIgA0ENdiADQRN0cnMgA0EWdiADQQp0cnNqIAMgBHEgBSADIARycXJqIQogCSAGQQZ2IAZBGnRyIAZBC3YgBkEV',
  'dHJzIAZBGXYgBkEHdHJzaiAIIAYgByAIc3FzaiAYKAKECGogGCgChBBqIRMgBSATaiEFIBMgCkECdiAKQR50ciAKQQ12IApB',
  'E3RycyAKQRZ2IApBCnRyc2ogCiADcSAEIAogA3JxcmohCSAIIAVBBnYgBUEadHIgBUELdiAFQRV0cnMgBUEZdiAFQQd0cnNq',
  'IAcgBSAGIAdzcXNqIBgoAogIaiAYKAKIEGohEyAEIBNqIQQgEyAJQQJ2IAlBHnRyIAlBDXYgCUETdHJzIAlBFnYgCUEKdHJz',
  'aiAJIApxIAMgCSAKcnFyaiEIIAcgBEEGdiAEQRp0ciAEQQt2IARBFXRycyAEQRl2IARBB3Ryc2ogBiAEIAUgBnNxc2ogGCgC',
  'jAhqIBgoAowQaiETIAMgE2ohAyATIAhBAnYgCEEedHIgCEENdiAIQRN0cnMgCEEWdiAIQQp0cnNqIAggCXEgCiAIIAlycXJq',
  'IQcgBiADQQZ2IANBGnRyIANBC3YgA0EVdHJzIANBGXYgA0EHdHJzaiAFIAMgBCAFc3FzaiAYKAKQCGogGCgCkBBqIRMgCiAT',
  'aiEKIBMgB0ECdiAHQR50ciAHQQ12IAdBE3RycyAHQRZ2IAdBCnRyc2ogByAIcSAJIAcgCHJxcmohBiAFIApBBnYgCkEadHIg',
  'CkELdiAKQRV0cnMgCkEZdiAKQQd0cnNqIAQgCiADIARzcXNqIBgoApQIaiAYKAKUEGohEyAJIBNqIQkgEyAGQQJ2IAZBHnRy',
  'IAZBDXYgBkETdHJzIAZBFnYgBkEKdHJzaiAGIAdxIAggBiAHcnFyaiEFIAQgCUEGdiAJQRp0ciAJQQt2IAlBFXRycyAJQRl2',
  'IAlBB3Ryc2ogAyAJIAogA3Nxc2ogGCgCmAhqIBgoApgQaiETIAggE2ohCCATIAVBAnYgBUEedHIgBUENdiAFQRN0cnMgBUEW',
  'diAFQQp0cnNqIAUgBnEgByAFIAZycXJqIQQgAyAIQQZ2IAhBGnRyIAhBC3YgCEEVdHJzIAhBGXYgCEEHdHJzaiAKIAggCSAK',
  'c3FzaiAYKAKcCGogGCgCnBBqIRMgByATaiEHIBMgBEECdiAEQR50ciAEQQ12IARBE3RycyAEQRZ2IARBCnRyc2ogBCAFcSAG',
  'IAQgBXJxcmohAyAYQSBqIRggGEGAAkkNAAsgCyADaiELIAwgBGohDCANIAVqIQ0gDiAGaiEOIA8gB2ohDyAQIAhqIRAgESAJ',
  'aiERIBIgCmohEiAVQcAAaiEVDAALCyACIAshFCAUQQh2Qf+B/AdxIBRB/4H8B3FBCHRyIRQgFEEQdiAUQRB0cjYCACACIAwh',
  'FCAUQQh2Qf+B/AdxIBRB/4H8B3FBCHRyIRQgFEEQdiAUQRB0cjYCBCACIA0hFCAUQQh2Qf+B/AdxIBRB/4H8B3FBCHRyIRQg',
  'FEEQdiAUQRB0cjYCCCACIA4hFCAUQQh2Qf+B/AdxIBRB/4H8B3FBCHRyIRQgFEEQdiAUQRB0cjYCDCACIA8hFCAUQQh2Qf+B',
  '/AdxIBRB/4H8B3FBCHRyIRQgFEEQdiAUQRB0cjYCECACIBAhFCAUQQh2Qf+B/AdxIBRB/4H8B3FBCHRyIRQgFEEQdiAUQRB0',
  'cjYCFCACIBEhFCAUQQh2Qf+B/AdxIBRB/4H8B3FBCHRyIRQgFEEQdiAUQRB0cjYCGCACIBIhFCAUQQh2Qf+B/AdxIBRB/4H8',
  'B3FBCHRyIRQgFEEQdiAUQRB0cjYCHAu0AQECfwJAA0AgBiAATw0BIAUhByAGQQFxBEAgByABIAL8CgAAIAcgAmohBwUgB0GA',
  'AkEg/AoAACAHQSBqIQcLIAZBA3AEQCAHIAMgBPwKAAAgByAEaiEHCyAGQQdwBEAgByABIAL8CgAAIAcgAmohBwsgBkEBcQRA',
  'IAdBgAJBIPwKAAAgB0EgaiEHBSAHIAEgAvwKAAAgByACaiEHCyAFIAcgBWtBgAIQACAGQQFqIQYMAAsLCwuIAgEAQYAIC4AC',
  'mC+KQpFEN3HP+8C1pdu16VvCVjnxEfFZpII/ktVeHKuYqgfYAVuDEr6FMSTDfQxVdF2+cv6x3oCnBtybdPGbwcFpm+SGR77v',
  'xp3BD8yhDCRvLOktqoR0StypsFzaiPl2UlE+mG3GMajIJwOwx39Zv/ML4MZHkafVUWPKBmcpKRSFCrcnOCEbLvxtLE0TDThT',
  'VHMKZbsKanYuycKBhSxykqHov6JLZhqocItLwqNRbMcZ6JLRJAaZ1oU1DvRwoGoQFsGkGQhsNx5Md0gntbywNLMMHDlKqthO',
  'T8qcW/NvLmjugo90b2OleBR4yIQIAseM+v++kOtsUKT3o/m+8nhxxg==',
].join('')

/** SHA-512, base-64. */
export const SHA512_WASM = [
  'AGFzbQEAAAABEAJgA39/fwBgBn9/f39/fwADAwIAAQUDAQABBxkDA21lbQIABmRpZ2VzdAAABnJvdW5kcwABCogUAssSAxJ+',
  'Bn8BfiABQYB/cSEZQYAEQQBBgAL8CwBBgAQgACAZaiABIBlr/AoAACABIBlrQYABOgCABEGABkGABSABIBlrQRFqQYABSxsh',
  'GiAaQQhrIAGtQgOGIRsgG0IIiEL/gfyH8J/A/wCDIBtC/4H8h/CfwP8Ag0IIhoQhGyAbQhCIQv//g4Dw/z+DIBtC//+DgPD/',
  'P4NCEIaEIRsgG0IgiCAbQiCGhDcDAEKIkvOd/8z5hOoAIQtCu86qptjQ67O7fyEMQqvw0/Sv7ry3PCENQvHt9Pilp/2npX8h',
  'DkLRhZrv+s+Uh9EAIQ9Cn9j52cKR2oKbfyEQQuv6htq/tfbBHyERQvnC+JuRo7Pw2wAhEiAAIRUgACAZaiEWAkADQCAVIBZG',
  'BEAgFw0CQQEhF0GABCEVIBohFgtBACEYA0AgGCAVIBhqKQMAIRQgFEIIiEL/gfyH8J/A/wCDIBRC/4H8h/CfwP8Ag0IIhoQh',
  'FCAUQhCIQv//g4Dw/z+DIBRC//+DgPD/P4NCEIaEIRQgFEIgiCAUQiCGhDcDgBAgGEEIaiEYIBhBgAFJDQALQQAhGANAIBgg',
  'GCkD8BAhFCAUQhOIIBRCLYaEIBRCPYggFEIDhoSFIBRCBoiFIBgpA8gQfCAYKQOIECEUIBRCAYggFEI/hoQgFEIIiCAUQjiG',
  'hIUgFEIHiIV8IBgpA4AQfDcDgBEgGEEIaiEYIBhBgARJDQALIAshAyAMIQQgDSEFIA4hBiAPIQcgECEIIBEhCSASIQpBACEY',
  'A0AgCiAHQg6IIAdCMoaEIAdCEoggB0IuhoSFIAdCKYggB0IXhoSFfCAJIAcgCCAJhYOFfCAYKQOACHwgGCkDgBB8IRMgBiAT',
  'fCEGIBMgA0IciCADQiSGhCADQiKIIANCHoaEhSADQieIIANCGYaEhXwgAyAEgyAFIAMgBISDhHwhCiAJIAZCDoggBkIyhoQg',
  'BkISiCAGQi6GhIUgBkIpiCAGQheGhIV8IAggBiAHIAiFg4V8IBgpA4gIfCAYKQOIEHwhEyAFIBN8IQUgEyAKQhyIIApCJIaE',
  'IApCIoggCkIehoSFIApCJ4ggCkIZhoSFfCAKIAODIAQgCiADhIOEfCEJIAggBUIOiCAFQjKGhCAFQhKIIAVCLoaEhSAFQimI',
  'IAVCF4aEhXwgByAFIAYgB4WDhXwgGCkDkAh8IBgpA5AQfCETIAQgE3whBCATIAlCHIggCUIkhoQgCUIiiCAJQh6GhIUgCUIn',
  'iCAJQhmGhIV8IAkgCoMgAyAJIAqEg4R8IQggByAEQg6IIARCMoaEIARCEoggBEIuhoSFIARCKYggBEIXhoSFfCAGIAQgBSAG',
  'hYOFfCAYKQOYCHwgGCkDmBB8IRMgAyATfCEDIBMgCEIciCAIQiSGhCAIQiKIIAhCHoaEhSAIQieIIAhCGYaEhXwgCCAJgyAK',
  'IAggCYSDhHwhByAGIANCDoggA0IyhoQgA0ISiCADQi6GhIUgA0IpiCADQheGhIV8IAUgAyAEIAWFg4V8IBgpA6AIfCAYKQOg',
  'EHwhEyAKIBN8IQogEyAHQhyIIAdCJIaEIAdCIoggB0IehoSFIAdCJ4ggB0IZhoSFfCAHIAiDIAkgByAIhIOEfCEGIAUgCkIO',
  'iCAKQjKGhCAKQhKIIApCLoaEhSAKQimIIApCF4aEhXwgBCAKIAMgBIWDhXwgGCkDqAh8IBgpA6gQfCETIAkgE3whCSATIAZC',
  'HIggBkIkhoQgBkIiiCAGQh6GhIUgBkIniCAGQhmGhIV8IAYgB4MgCCAGIAeEg4R8IQUgBCAJQg6IIAlCMoaEIAlCEoggCUIu',
  'hoSFIAlCKYggCUIXhoSFfCADIAkgCiADhYOFfCAYKQOwCHwgGCkDsBB8IRMgCCATfCEIIBMgBUIciCAFQiSGhCAFQiKIIAVC',
  'HoaEhSAFQieIIAVCGYaEhXwgBSAGgyAHIAUgBoSDhHwhBCADIAhCDoggCEIyhoQgCEISiCAIQi6GhIUgCEIpiCAIQheGhIV8',
  'IAogCCAJIAqFg4V8IBgpA7gIfCAYKQO4EHwhEyAHIBN8IQcgEyAEQhyIIARCJIaEIARCIoggBEIehoSFIARCJ4ggBEIZhoSF',
  'fCAEIAWDIAYgBCAFhIOEfCEDIBhBwABqIRggGEGABUkNAAsgCyADfCELIAwgBHwhDCANIAV8IQ0gDiAGfCEOIA8gB3whDyAQ',
  'IAh8IRAgESAJfCERIBIgCnwhEiAVQYABaiEVDAALCyACIAshFCAUQgiIQv+B/Ifwn8D/AIMgFEL/gfyH8J/A/wCDQgiGhCEU',
  'IBRCEIhC//+DgPD/P4MgFEL//4OA8P8/g0IQhoQhFCAUQiCIIBRCIIaENwMAIAIgDCEUIBRCCIhC/4H8h/CfwP8AgyAUQv+B',
  '/Ifwn8D/AINCCIaEIRQgFEIQiEL//4OA8P8/gyAUQv//g4Dw/z+DQhCGhCEUIBRCIIggFEIghoQ3AwggAiANIRQgFEIIiEL/',
  'gfyH8J/A/wCDIBRC/4H8h/CfwP8Ag0IIhoQhFCAUQhCIQv//g4Dw/z+DIBRC//+DgPD/P4NCEIaEIRQgFEIgiCAUQiCGhDcD',
  'ECACIA4hFCAUQgiIQv+B/Ifwn8D/AIMgFEL/gfyH8J/A/wCDQgiGhCEUIBRCEIhC//+DgPD/P4MgFEL//4OA8P8/g0IQhoQh',
  'FCAUQiCIIBRCIIaENwMYIAIgDyEUIBRCCIhC/4H8h/CfwP8AgyAUQv+B/Ifwn8D/AINCCIaEIRQgFEIQiEL//4OA8P8/gyAU',
  'Qv//g4Dw/z+DQhCGhCEUIBRCIIggFEIghoQ3AyAgAiAQIRQgFEIIiEL/gfyH8J/A/wCDIBRC/4H8h/CfwP8Ag0IIhoQhFCAU',
  'QhCIQv//g4Dw/z+DIBRC//+DgPD/P4NCEIaEIRQgFEIgiCAUQiCGhDcDKCACIBEhFCAUQgiIQv+B/Ifwn8D/AIMgFEL/gfyH',
  '8J/A/wCDQgiGhCEUIBRCEIhC//+DgPD/P4MgFEL//4OA8P8/g0IQhoQhFCAUQiCIIBRCIIaENwMwIAIgEiEUIBRCCIhC/4H8',
  'h/CfwP8AgyAUQv+B/Ifwn8D/AINCCIaEIRQgFEIQiEL//4OA8P8/gyAUQv//g4Dw/z+DQhCGhCEUIBRCIIggFEIghoQ3AzgL',
  'uAEBAn8CQANAIAYgAE8NASAFIQcgBkEBcQRAIAcgASAC/AoAACAHIAJqIQcFIAdBgAJBwAD8CgAAIAdBwABqIQcLIAZBA3AE',
  'QCAHIAMgBPwKAAAgByAEaiEHCyAGQQdwBEAgByABIAL8CgAAIAcgAmohBwsgBkEBcQRAIAdBgAJBwAD8CgAAIAdBwABqIQcF',
  'IAcgASAC/AoAACAHIAJqIQcLIAUgByAFa0GAAhAAIAZBAWohBgwACwsLC4gFAQBBgAgLgAUirijXmC+KQs1l7yORRDdxLztN',
  '7M/7wLW824mBpdu16Ti1SPNbwlY5GdAFtvER8VmbTxmvpII/khiBbdrVXhyrQgIDo5iqB9i+b3BFAVuDEoyy5E6+hTEk4rT/',
  '1cN9DFVviXvydF2+crGWFjv+sd6ANRLHJacG3JuUJmnPdPGbwdJK8Z7BaZvk4yVPOIZHvu+11YyLxp3BD2WcrHfMoQwkdQIr',
  'WW8s6S2D5KZuqoR0StT7Qb3cqbBctVMRg9qI+Xar32buUlE+mBAytC1txjGoPyH7mMgnA7DkDu++x39Zv8KPqD3zC+DGJacK',
  'k0eRp9VvggPgUWPKBnBuDgpnKSkU/C/SRoUKtycmySZcOCEbLu0qxFr8bSxN37OVnRMNOFPeY6+LVHMKZaiydzy7Cmp25q7t',
  'Ry7JwoE7NYIUhSxykmQD8Uyh6L+iATBCvEtmGqiRl/jQcItLwjC+VAajUWzHGFLv1hnoktEQqWVVJAaZ1iogcVeFNQ70uNG7',
  'MnCgahDI0NK4FsGkGVOrQVEIbDcemeuO30x3SCeoSJvhtbywNGNaycWzDBw5y4pB40qq2E5z42N3T8qcW6O4stbzby5o/LLv',
  'Xe6Cj3RgLxdDb2OleHKr8KEUeMiE7DlkGggCx4woHmMj+v++kOm9gt7rbFCkFXnGsvej+b4rU3Lj8nhxxpxhJurOPifKB8LA',
  'Ice4htEe6+DN1n3a6njRbu5/T331um8Xcqpn8AammMiixX1jCq4N+b4EmD8RG0ccEzULcRuEfQQj9XfbKJMkx0B7q8oyvL7J',
  'FQq+njxMDRCcxGcdQ7ZCPsu+1MVMKn5l/Jwpf1ns+tY6q2/LXxdYR0qMGURs',
].join('')

interface Exports {
  mem: WebAssembly.Memory
  digest: (ptr: number, len: number, out: number) => void
  rounds: (n: number, p: number, plen: number, s: number, slen: number, msg: number) => void
}

const made: { 32?: ShaEngine | null; 64?: ShaEngine | null } = {}

const engine = (size: 32 | 64, x: Exports): ShaEngine => {
  /** The memory, grown to hold `bytes` from INPUT on. */
  const memory = (bytes: number): Uint8Array => {
    const short = INPUT + bytes - x.mem.buffer.byteLength
    if (short > 0) x.mem.grow(Math.ceil(short / 65536))
    return new Uint8Array(x.mem.buffer)
  }
  const digest = () => Buffer.from(new Uint8Array(x.mem.buffer, C, size))
  return {
    size,
    hash: (parts) => {
      const mem = memory(parts.reduce((n, p) => n + p.length, 0))
      let at = INPUT
      for (const p of parts) {
        mem.set(p, at)
        at += p.length
      }
      x.digest(INPUT, at - INPUT, C)
      return digest()
    },
    rounds: (c, p, s, n) => {
      const mem = memory(3 * p.length + 2 * s.length + 2 * size)
      const sAt = INPUT + p.length
      mem.set(p, INPUT)
      mem.set(s, sAt)
      mem.set(c, C)
      x.rounds(n, INPUT, p.length, sAt, s.length, sAt + s.length)
      return digest()
    },
    // Everything but the round constants.
    wipe: () => void new Uint8Array(x.mem.buffer).fill(0, 0, KS).fill(0, SCHED),
  }
}

/**
 * The WebAssembly engine for SHA-256 (size 32) or SHA-512 (64), or null where WebAssembly is
 * unavailable (--jitless) or cannot have its memory (V8 reserves gigabytes of address space for
 * it, which ulimit -v can forbid).
 */
export const wasmSha = (size: 32 | 64): ShaEngine | null => {
  let e = made[size]
  if (e === undefined) {
    try {
      const bytes = Buffer.from(size === 32 ? SHA256_WASM : SHA512_WASM, 'base64')
      const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes))
      e = engine(size, exports as unknown as Exports)
    } catch {
      e = null
    }
    made[size] = e
  }
  return e
}
