// SHA-256 and SHA-512 crypt's hashing as WebAssembly: the bytes sha-crypt-wasm-asm.ts assembles,
// kept here so that a login does not pay for assembling them (test/sha-crypt-wasm.ts checks they
// agree), and the engine sha-crypt.ts drives.
import type { ShaEngine } from './sha-crypt-engine.js'
import { C, INPUT, KS, SCHED } from './sha-crypt-wasm-layout.js'

/** SHA-256, base-64. */
export const SHA256_WASM = [
  'AGFzbQEAAAABEAJgA39/fwBgBn9/f39/fwADAwIAAQUEAQEBQAcZAwNtZW0CAAZkaWdlc3QAAAZyb3VuZHMAAQrrEAKyDwMS',
  'fwZ/AX4gAUFAcSEZQYAEQQBBgAH8CwBBgAQgACAZaiABIBlr/AoAACABIBlrQYABOgCABEGABUHABCABIBlrQQlqQcAASxsh',
  'GiAaQQhrIAGtQgOGIRsgG0IIiEL/gfyH8J/A/wCDIBtC/4H8h/CfwP8Ag0IIhoQhGyAbQhCIQv//g4Dw/z+DIBtC//+DgPD/',
  'P4NCEIaEIRsgG0IgiCAbQiCGhDcDAEHnzKfQBiELQYXdntt7IQxB8ua74wMhDUG66r+qeiEOQf+kuYgFIQ9BjNGV2HkhEEGr',
  's4/8ASERQZmag98FIRIgACEVIAAgGWohFgJAA0AgFSAWRgRAIBcNAkEBIRdBgAQhFSAaIRYLQQAhGANAIBggFSAYaigCACEU',
  'IBRBCHZB/4H8B3EgFEH/gfwHcUEIdHIhFCAUQRB2IBRBEHRyNgKAECAYQQRqIRggGEHAAEkNAAtBACEYA0AgGCAYKAK4ECEU',
  'IBRBEXYgFEEPdHIgFEETdiAUQQ10cnMgFEEKdnMgGCgCpBBqIBgoAoQQIRQgFEEHdiAUQRl0ciAUQRJ2IBRBDnRycyAUQQN2',
  'c2ogGCgCgBBqNgLAECAYQQRqIRggGEHAAUkNAAsgCyEDIAwhBCANIQUgDiEGIA8hByAQIQggESEJIBIhCkEAIRgDQCAKIAdB',
  'BnYgB0EadHIgB0ELdiAHQRV0cnMgB0EZdiAHQQd0cnNqIAkgByAIIAlzcXNqIBgoAoAIaiAYKAKAEGohEyAGIBNqIQYgEyAD',
  'QQJ2IANBHnRyIANBDXYgA0ETdHJzIANBFnYgA0EKdHJzaiADIARxIAUgAyAEcnFyaiEKIAkgBkEGdiAGQRp0ciAGQQt2IAZB',
  'FXRycyAGQRl2IAZBB3Ryc2ogCCAGIAcgCHNxc2ogGCgChAhqIBgoAoQQaiETIAUgE2ohBSATIApBAnYgCkEedHIgCkENdiAK',
  'QRN0cnMgCkEWdiAKQQp0cnNqIAogA3EgBCAKIANycXJqIQkgCCAFQQZ2IAVBGnRyIAVBC3YgBUEVdHJzIAVBGXYgBUEHdHJz',
  'aiAHIAUgBiAHc3FzaiAYKAKICGogGCgCiBBqIRMgBCATaiEEIBMgCUECdiAJQR50ciAJQQ12IAlBE3RycyAJQRZ2IAlBCnRy',
  'c2ogCSAKcSADIAkgCnJxcmohCCAHIARBBnYgBEEadHIgBEELdiAEQRV0cnMgBEEZdiAEQQd0cnNqIAYgBCAFIAZzcXNqIBgo',
  'AowIaiAYKAKMEGohEyADIBNqIQMgEyAIQQJ2IAhBHnRyIAhBDXYgCEETdHJzIAhBFnYgCEEKdHJzaiAIIAlxIAogCCAJcnFy',
  'aiEHIAYgA0EGdiADQRp0ciADQQt2IANBFXRycyADQRl2IANBB3Ryc2ogBSADIAQgBXNxc2ogGCgCkAhqIBgoApAQaiETIAog',
  'E2ohCiATIAdBAnYgB0EedHIgB0ENdiAHQRN0cnMgB0EWdiAHQQp0cnNqIAcgCHEgCSAHIAhycXJqIQYgBSAKQQZ2IApBGnRy',
  'IApBC3YgCkEVdHJzIApBGXYgCkEHdHJzaiAEIAogAyAEc3FzaiAYKAKUCGogGCgClBBqIRMgCSATaiEJIBMgBkECdiAGQR50',
  'ciAGQQ12IAZBE3RycyAGQRZ2IAZBCnRyc2ogBiAHcSAIIAYgB3JxcmohBSAEIAlBBnYgCUEadHIgCUELdiAJQRV0cnMgCUEZ',
  'diAJQQd0cnNqIAMgCSAKIANzcXNqIBgoApgIaiAYKAKYEGohEyAIIBNqIQggEyAFQQJ2IAVBHnRyIAVBDXYgBUETdHJzIAVB',
  'FnYgBUEKdHJzaiAFIAZxIAcgBSAGcnFyaiEEIAMgCEEGdiAIQRp0ciAIQQt2IAhBFXRycyAIQRl2IAhBB3Ryc2ogCiAIIAkg',
  'CnNxc2ogGCgCnAhqIBgoApwQaiETIAcgE2ohByATIARBAnYgBEEedHIgBEENdiAEQRN0cnMgBEEWdiAEQQp0cnNqIAQgBXEg',
  'BiAEIAVycXJqIQMgGEEgaiEYIBhBgAJJDQALIAsgA2ohCyAMIARqIQwgDSAFaiENIA4gBmohDiAPIAdqIQ8gECAIaiEQIBEg',
  'CWohESASIApqIRIgFUHAAGohFQwACwsgAiALIRQgFEEIdkH/gfwHcSAUQf+B/AdxQQh0ciEUIBRBEHYgFEEQdHI2AgAgAiAM',
  'IRQgFEEIdkH/gfwHcSAUQf+B/AdxQQh0ciEUIBRBEHYgFEEQdHI2AgQgAiANIRQgFEEIdkH/gfwHcSAUQf+B/AdxQQh0ciEU',
  'IBRBEHYgFEEQdHI2AgggAiAOIRQgFEEIdkH/gfwHcSAUQf+B/AdxQQh0ciEUIBRBEHYgFEEQdHI2AgwgAiAPIRQgFEEIdkH/',
  'gfwHcSAUQf+B/AdxQQh0ciEUIBRBEHYgFEEQdHI2AhAgAiAQIRQgFEEIdkH/gfwHcSAUQf+B/AdxQQh0ciEUIBRBEHYgFEEQ',
  'dHI2AhQgAiARIRQgFEEIdkH/gfwHcSAUQf+B/AdxQQh0ciEUIBRBEHYgFEEQdHI2AhggAiASIRQgFEEIdkH/gfwHcSAUQf+B',
  '/AdxQQh0ciEUIBRBEHYgFEEQdHI2AhwLtAEBAn8CQANAIAYgAE8NASAFIQcgBkEBcQRAIAcgASAC/AoAACAHIAJqIQcFIAdB',
  'gAJBIPwKAAAgB0EgaiEHCyAGQQNwBEAgByADIAT8CgAAIAcgBGohBwsgBkEHcARAIAcgASAC/AoAACAHIAJqIQcLIAZBAXEE',
  'QCAHQYACQSD8CgAAIAdBIGohBwUgByABIAL8CgAAIAcgAmohBwsgBSAHIAVrQYACEAAgBkEBaiEGDAALCwsLiAIBAEGACAuA',
  'ApgvikKRRDdxz/vAtaXbtelbwlY58RHxWaSCP5LVXhyrmKoH2AFbgxK+hTEkw30MVXRdvnL+sd6Apwbcm3Txm8HBaZvkhke+',
  '78adwQ/MoQwkbyzpLaqEdErcqbBc2oj5dlJRPphtxjGoyCcDsMd/Wb/zC+DGR5Gn1VFjygZnKSkUhQq3JzghGy78bSxNEw04',
  'U1RzCmW7Cmp2LsnCgYUscpKh6L+iS2YaqHCLS8KjUWzHGeiS0SQGmdaFNQ70cKBqEBbBpBkIbDceTHdIJ7W8sDSzDBw5SqrY',
  'Tk/KnFvzby5o7oKPdG9jpXgUeMiECALHjPr/vpDrbFCk96P5vvJ4ccY=',
].join('')

/** SHA-512, base-64. */
export const SHA512_WASM = [
  'AGFzbQEAAAABEAJgA39/fwBgBn9/f39/fwADAwIAAQUEAQEBQAcZAwNtZW0CAAZkaWdlc3QAAAZyb3VuZHMAAQqIFALLEgMS',
  'fgZ/AX4gAUGAf3EhGUGABEEAQYAC/AsAQYAEIAAgGWogASAZa/wKAAAgASAZa0GAAToAgARBgAZBgAUgASAZa0ERakGAAUsb',
  'IRogGkEIayABrUIDhiEbIBtCCIhC/4H8h/CfwP8AgyAbQv+B/Ifwn8D/AINCCIaEIRsgG0IQiEL//4OA8P8/gyAbQv//g4Dw',
  '/z+DQhCGhCEbIBtCIIggG0IghoQ3AwBCiJLznf/M+YTqACELQrvOqqbY0Ouzu38hDEKr8NP0r+68tzwhDULx7fT4paf9p6V/',
  'IQ5C0YWa7/rPlIfRACEPQp/Y+dnCkdqCm38hEELr+obav7X2wR8hEUL5wvibkaOz8NsAIRIgACEVIAAgGWohFgJAA0AgFSAW',
  'RgRAIBcNAkEBIRdBgAQhFSAaIRYLQQAhGANAIBggFSAYaikDACEUIBRCCIhC/4H8h/CfwP8AgyAUQv+B/Ifwn8D/AINCCIaE',
  'IRQgFEIQiEL//4OA8P8/gyAUQv//g4Dw/z+DQhCGhCEUIBRCIIggFEIghoQ3A4AQIBhBCGohGCAYQYABSQ0AC0EAIRgDQCAY',
  'IBgpA/AQIRQgFEITiCAUQi2GhCAUQj2IIBRCA4aEhSAUQgaIhSAYKQPIEHwgGCkDiBAhFCAUQgGIIBRCP4aEIBRCCIggFEI4',
  'hoSFIBRCB4iFfCAYKQOAEHw3A4ARIBhBCGohGCAYQYAESQ0ACyALIQMgDCEEIA0hBSAOIQYgDyEHIBAhCCARIQkgEiEKQQAh',
  'GANAIAogB0IOiCAHQjKGhCAHQhKIIAdCLoaEhSAHQimIIAdCF4aEhXwgCSAHIAggCYWDhXwgGCkDgAh8IBgpA4AQfCETIAYg',
  'E3whBiATIANCHIggA0IkhoQgA0IiiCADQh6GhIUgA0IniCADQhmGhIV8IAMgBIMgBSADIASEg4R8IQogCSAGQg6IIAZCMoaE',
  'IAZCEoggBkIuhoSFIAZCKYggBkIXhoSFfCAIIAYgByAIhYOFfCAYKQOICHwgGCkDiBB8IRMgBSATfCEFIBMgCkIciCAKQiSG',
  'hCAKQiKIIApCHoaEhSAKQieIIApCGYaEhXwgCiADgyAEIAogA4SDhHwhCSAIIAVCDoggBUIyhoQgBUISiCAFQi6GhIUgBUIp',
  'iCAFQheGhIV8IAcgBSAGIAeFg4V8IBgpA5AIfCAYKQOQEHwhEyAEIBN8IQQgEyAJQhyIIAlCJIaEIAlCIoggCUIehoSFIAlC',
  'J4ggCUIZhoSFfCAJIAqDIAMgCSAKhIOEfCEIIAcgBEIOiCAEQjKGhCAEQhKIIARCLoaEhSAEQimIIARCF4aEhXwgBiAEIAUg',
  'BoWDhXwgGCkDmAh8IBgpA5gQfCETIAMgE3whAyATIAhCHIggCEIkhoQgCEIiiCAIQh6GhIUgCEIniCAIQhmGhIV8IAggCYMg',
  'CiAIIAmEg4R8IQcgBiADQg6IIANCMoaEIANCEoggA0IuhoSFIANCKYggA0IXhoSFfCAFIAMgBCAFhYOFfCAYKQOgCHwgGCkD',
  'oBB8IRMgCiATfCEKIBMgB0IciCAHQiSGhCAHQiKIIAdCHoaEhSAHQieIIAdCGYaEhXwgByAIgyAJIAcgCISDhHwhBiAFIApC',
  'DoggCkIyhoQgCkISiCAKQi6GhIUgCkIpiCAKQheGhIV8IAQgCiADIASFg4V8IBgpA6gIfCAYKQOoEHwhEyAJIBN8IQkgEyAG',
  'QhyIIAZCJIaEIAZCIoggBkIehoSFIAZCJ4ggBkIZhoSFfCAGIAeDIAggBiAHhIOEfCEFIAQgCUIOiCAJQjKGhCAJQhKIIAlC',
  'LoaEhSAJQimIIAlCF4aEhXwgAyAJIAogA4WDhXwgGCkDsAh8IBgpA7AQfCETIAggE3whCCATIAVCHIggBUIkhoQgBUIiiCAF',
  'Qh6GhIUgBUIniCAFQhmGhIV8IAUgBoMgByAFIAaEg4R8IQQgAyAIQg6IIAhCMoaEIAhCEoggCEIuhoSFIAhCKYggCEIXhoSF',
  'fCAKIAggCSAKhYOFfCAYKQO4CHwgGCkDuBB8IRMgByATfCEHIBMgBEIciCAEQiSGhCAEQiKIIARCHoaEhSAEQieIIARCGYaE',
  'hXwgBCAFgyAGIAQgBYSDhHwhAyAYQcAAaiEYIBhBgAVJDQALIAsgA3whCyAMIAR8IQwgDSAFfCENIA4gBnwhDiAPIAd8IQ8g',
  'ECAIfCEQIBEgCXwhESASIAp8IRIgFUGAAWohFQwACwsgAiALIRQgFEIIiEL/gfyH8J/A/wCDIBRC/4H8h/CfwP8Ag0IIhoQh',
  'FCAUQhCIQv//g4Dw/z+DIBRC//+DgPD/P4NCEIaEIRQgFEIgiCAUQiCGhDcDACACIAwhFCAUQgiIQv+B/Ifwn8D/AIMgFEL/',
  'gfyH8J/A/wCDQgiGhCEUIBRCEIhC//+DgPD/P4MgFEL//4OA8P8/g0IQhoQhFCAUQiCIIBRCIIaENwMIIAIgDSEUIBRCCIhC',
  '/4H8h/CfwP8AgyAUQv+B/Ifwn8D/AINCCIaEIRQgFEIQiEL//4OA8P8/gyAUQv//g4Dw/z+DQhCGhCEUIBRCIIggFEIghoQ3',
  'AxAgAiAOIRQgFEIIiEL/gfyH8J/A/wCDIBRC/4H8h/CfwP8Ag0IIhoQhFCAUQhCIQv//g4Dw/z+DIBRC//+DgPD/P4NCEIaE',
  'IRQgFEIgiCAUQiCGhDcDGCACIA8hFCAUQgiIQv+B/Ifwn8D/AIMgFEL/gfyH8J/A/wCDQgiGhCEUIBRCEIhC//+DgPD/P4Mg',
  'FEL//4OA8P8/g0IQhoQhFCAUQiCIIBRCIIaENwMgIAIgECEUIBRCCIhC/4H8h/CfwP8AgyAUQv+B/Ifwn8D/AINCCIaEIRQg',
  'FEIQiEL//4OA8P8/gyAUQv//g4Dw/z+DQhCGhCEUIBRCIIggFEIghoQ3AyggAiARIRQgFEIIiEL/gfyH8J/A/wCDIBRC/4H8',
  'h/CfwP8Ag0IIhoQhFCAUQhCIQv//g4Dw/z+DIBRC//+DgPD/P4NCEIaEIRQgFEIgiCAUQiCGhDcDMCACIBIhFCAUQgiIQv+B',
  '/Ifwn8D/AIMgFEL/gfyH8J/A/wCDQgiGhCEUIBRCEIhC//+DgPD/P4MgFEL//4OA8P8/g0IQhoQhFCAUQiCIIBRCIIaENwM4',
  'C7gBAQJ/AkADQCAGIABPDQEgBSEHIAZBAXEEQCAHIAEgAvwKAAAgByACaiEHBSAHQYACQcAA/AoAACAHQcAAaiEHCyAGQQNw',
  'BEAgByADIAT8CgAAIAcgBGohBwsgBkEHcARAIAcgASAC/AoAACAHIAJqIQcLIAZBAXEEQCAHQYACQcAA/AoAACAHQcAAaiEH',
  'BSAHIAEgAvwKAAAgByACaiEHCyAFIAcgBWtBgAIQACAGQQFqIQYMAAsLCwuIBQEAQYAIC4AFIq4o15gvikLNZe8jkUQ3cS87',
  'TezP+8C1vNuJgaXbtek4tUjzW8JWORnQBbbxEfFZm08Zr6SCP5IYgW3a1V4cq0ICA6OYqgfYvm9wRQFbgxKMsuROvoUxJOK0',
  '/9XDfQxVb4l78nRdvnKxlhY7/rHegDUSxyWnBtyblCZpz3Txm8HSSvGewWmb5OMlTziGR77vtdWMi8adwQ9lnKx3zKEMJHUC',
  'K1lvLOktg+SmbqqEdErU+0G93KmwXLVTEYPaiPl2q99m7lJRPpgQMrQtbcYxqD8h+5jIJwOw5A7vvsd/Wb/Cj6g98wvgxiWn',
  'CpNHkafVb4ID4FFjygZwbg4KZykpFPwv0kaFCrcnJskmXDghGy7tKsRa/G0sTd+zlZ0TDThT3mOvi1RzCmWosnc8uwpqduau',
  '7UcuycKBOzWCFIUscpJkA/FMoei/ogEwQrxLZhqokZf40HCLS8IwvlQGo1FsxxhS79YZ6JLREKllVSQGmdYqIHFXhTUO9LjR',
  'uzJwoGoQyNDSuBbBpBlTq0FRCGw3Hpnrjt9Md0gnqEib4bW8sDRjWsnFswwcOcuKQeNKqthOc+Njd0/KnFujuLLW828uaPyy',
  '713ugo90YC8XQ29jpXhyq/ChFHjIhOw5ZBoIAseMKB5jI/r/vpDpvYLe62xQpBV5xrL3o/m+K1Ny4/J4ccacYSbqzj4nygfC',
  'wCHHuIbRHuvgzdZ92up40W7uf0999bpvF3KqZ/AGppjIosV9YwquDfm+BJg/ERtHHBM1C3EbhH0EI/V32yiTJMdAe6vKMry+',
  'yRUKvp48TA0QnMRnHUO2Qj7LvtTFTCp+ZfycKX9Z7PrWOqtvy18XWEdKjBlEbA==',
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
 * True where a WebAssembly memory could cost a login tens of milliseconds and still fail: under
 * an address-space limit (ulimit -v, softlimit -a or -m) V8 before 13 reserves gigabytes for any
 * memory, collects garbage, retries and gives up (Node 20: 10-70 ms, measured). V8 13 (Node 24)
 * reserves only the memory's maximum.
 */
const doomed = (): boolean => {
  if (Number(process.versions.v8.split('.')[0]) >= 13) return false
  try {
    const limits = process.getBuiltinModule('node:fs').readFileSync('/proc/self/limits', 'latin1')
    return !/^Max address space\s+unlimited\s/m.test(limits)
  } catch {
    return false
  }
}

/**
 * The WebAssembly engine for SHA-256 (size 32) or SHA-512 (64), or null where WebAssembly is
 * unavailable (--jitless) or cannot have its memory.
 */
export const wasmSha = (size: 32 | 64): ShaEngine | null => {
  let e = made[size]
  if (e === undefined) {
    e = null
    try {
      if (!doomed()) {
        const bytes = Buffer.from(size === 32 ? SHA256_WASM : SHA512_WASM, 'base64')
        const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes))
        e = engine(size, exports as unknown as Exports)
      }
    } catch {
      e = null
    }
    made[size] = e
  }
  return e
}
