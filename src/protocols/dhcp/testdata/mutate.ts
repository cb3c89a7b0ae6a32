// Packet mutations for fuzzing the codec (fuzz.test.ts) and the running service
// (test/dhcp/robustness.test.ts): truncation, flipped bytes, bad lengths, overload loops, huge
// options, random bodies behind a valid header.
import { Opt } from '../constants.ts';

/** Small deterministic PRNG (mulberry32) so failures reproduce; the CWMP parser fuzzer uses it too. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mutate(base: Buffer, r: () => number): Buffer {
  const b = Buffer.from(base);
  const kind = Math.floor(r() * 6);
  const at = () => 240 + Math.floor(r() * Math.max(1, b.length - 240));
  switch (kind) {
    case 0: return b.subarray(0, Math.floor(r() * b.length)); // truncated
    case 1: { for (let i = 0; i < 1 + r() * 8; i++) b[at()] = Math.floor(r() * 256); return b; } // flipped bytes
    case 2: { const i = at(); if (i + 1 < b.length) b[i + 1] = 255; return b; } // bad length
    case 3: { b[240] = Opt.OVERLOAD; b[241] = 1; b[242] = 3; b.fill(52, 44, 236); return b; } // overload loops
    case 4: { // huge options: many max-length instances
      const extra = Buffer.alloc(255 * 8 + 16);
      for (let i = 0; i < 8; i++) { extra[i * 257] = 43; extra[i * 257 + 1] = 255; }
      return Buffer.concat([b.subarray(0, 240), extra]);
    }
    default: { const n = 240 + Math.floor(r() * 600); const x = Buffer.alloc(n); for (let i = 0; i < n; i++) x[i] = Math.floor(r() * 256); b.copy(x, 0, 0, 240); return x; }
  }
}
