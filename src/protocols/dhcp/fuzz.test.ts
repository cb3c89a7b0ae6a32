// Fuzzing the codec: mutated real packets and random TLV soups. The only allowed outcome of
// decode is a packet or a DhcpDecodeError; a decoded packet must re-encode and decode again
// to the same options (when its options fit a maximum-size message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, DhcpDecodeError, relayInfo, deviceIdentity, decodeCwmp43, Opt } from './index.ts';
import * as golden from './testdata/golden.ts';
import { mutate, rng } from './testdata/mutate.ts';

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
