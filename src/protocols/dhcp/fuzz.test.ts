// Fuzzing the codec: mutated real packets and random TLV soups. The only allowed outcome of
// decode is a packet or a DhcpDecodeError; a decoded packet must re-encode and decode again
// to the same options (when its options fit a maximum-size message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, DhcpDecodeError, relayInfo, deviceIdentity, decodeCwmp43, Opt } from './index.ts';
import * as golden from './testdata/golden.ts';

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
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

test('100,000 mutated packets: decode never throws anything but DhcpDecodeError', () => {
  const r = rng(4242);
  const bases = Object.values(golden);
  let decoded = 0, rejected = 0;
  for (let i = 0; i < 100_000; i++) {
    const pkt = mutate(bases[i % bases.length]!, r);
    try {
      const p = decode(pkt);
      decoded++;
      // exercise the accessors a server calls
      p.options.paramRequestList(); p.options.clientId(); p.options.vendorClass(); p.options.requestedIp();
      relayInfo(p.options); deviceIdentity(p.options); p.options.viVendorClass();
      const v43 = p.options.get(Opt.VENDOR_SPECIFIC); if (v43) decodeCwmp43(v43);
      let again: Buffer | undefined;
      try { again = encode(p, { maxSize: 65000 }); } catch (e) { assert.ok(e instanceof RangeError); }
      // 82 moves last on encode (RFC 3046 §2.2), so compare by code
      const byCode = (e: [number, Buffer][]) => e.sort((x, y) => x[0] - y[0]);
      if (again) assert.deepEqual(byCode(decode(again).options.entries()), byCode(p.options.entries()));
    } catch (e) {
      if (!(e instanceof DhcpDecodeError)) throw e;
      rejected++;
    }
  }
  assert.ok(decoded > 1000 && rejected > 1000, `decoded=${decoded} rejected=${rejected}`);
});
