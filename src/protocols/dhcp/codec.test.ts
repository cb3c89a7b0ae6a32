import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decode, encode, emptyPacket, chaddrOf, hwAddress, DhcpOptions, DhcpDecodeError, Opt, MessageType,
  BOOTREPLY, BOOTREQUEST, encodeCwmp43, decodeCwmp43, deviceIdentity, encodeAnnexF, relayInfo, ipToBuf,
  parseTlvs, BOOTP_MIN_LEN,
} from './index.ts';
import * as golden from './testdata/golden.ts';

test('decodes a real dhclient DISCOVER (vendor class, client-id, hostname, PRL)', () => {
  const p = decode(golden.dhclientDiscover);
  assert.equal(p.op, BOOTREQUEST);
  assert.equal(p.xid, 0xace2ed0f);
  assert.equal(hwAddress(p), '56:71:ea:7a:b3:89');
  assert.equal(p.giaddr, '0.0.0.0');
  assert.equal(p.options.messageType(), MessageType.DISCOVER);
  assert.equal(p.options.vendorClass(), 'dslforum.org');
  assert.equal(p.options.hostname(), 'phone-1');
  assert.equal(p.options.clientId()!.toString('hex'), '01020000770001');
  assert.deepEqual(p.options.paramRequestList(), [1, 3, 6, 43, 66, 42]);
  assert.deepEqual(p.options.codes(), [53, 12, 55, 60, 61]);
});

test('decodes a real udhcpc DISCOVER with option 125 Annex F device identity and option 57', () => {
  const p = decode(golden.udhcpcDiscover);
  assert.equal(p.options.maxMessageSize(), 576);
  assert.deepEqual(deviceIdentity(p.options), { oui: '00E0FC', serial: 'SN0001', productClass: 'Ph00n' });
  assert.deepEqual(p.options.paramRequestList(), [1, 3, 6, 12, 15, 28, 42, 43, 66, 125]);
});

test('decodes relayed messages from ISC dhcrelay: giaddr, hops and option 82 circuit-id', () => {
  for (const b of [golden.dhclientRelayed, golden.udhcpcRelayed]) {
    const p = decode(b);
    assert.equal(p.giaddr, '10.77.251.1');
    assert.equal(p.hops, 1);
    assert.deepEqual(relayInfo(p.options), { circuitId: 'opdh-c', remoteId: null });
    assert.equal(p.options.codes().at(-1), Opt.RELAY_AGENT);
  }
});

test('re-encoding a real request reproduces its bytes (up to trailing padding)', () => {
  for (const b of Object.values(golden)) {
    const out = encode(decode(b));
    const endOf = (x: Buffer) => x.lastIndexOf(0xff) + 1;
    assert.deepEqual(out.subarray(0, endOf(out)), b.subarray(0, endOf(b)));
    assert.ok(out.length >= BOOTP_MIN_LEN);
  }
});

test('option 43 CWMP sub-options match the worked bytes of tr069-protocol.md §9.3', () => {
  const body = encodeCwmp43({ acsUrl: 'http://10.20.0.1:7547/cwmp', provisioningCode: 'SITE-042', retryMinimumWaitInterval: 5, retryIntervalMultiplier: 2000 });
  const expected = Buffer.from('2b2f011a' + Buffer.from('http://10.20.0.1:7547/cwmp').toString('hex') +
    '0208' + Buffer.from('SITE-042').toString('hex') + '030135' + '040432303030', 'hex');
  const p = emptyPacket(BOOTREPLY);
  p.options.set(Opt.VENDOR_SPECIFIC, body);
  const wire = encode(p);
  assert.deepEqual(wire.subarray(240, 240 + expected.length), expected);
  assert.deepEqual(decodeCwmp43(body), { acsUrl: 'http://10.20.0.1:7547/cwmp', provisioningCode: 'SITE-042', retryMinimumWaitInterval: 5, retryIntervalMultiplier: 2000 });
});

test('option 125 gateway identity matches §9.3 (7d 25 00 00 0d e9 20 04 06 …)', () => {
  const b = encodeAnnexF({ oui: '00E0FC', serial: 'SITENODE0001', productClass: 'SiteNode' }, true);
  assert.equal(b.length, 0x25);
  assert.equal(b.toString('hex'), '00000de920' + '0406' + Buffer.from('00E0FC').toString('hex') +
    '050c' + Buffer.from('SITENODE0001').toString('hex') + '0608' + Buffer.from('SiteNode').toString('hex'));
});

test('RFC 3396: a 600-byte option is split into 255+255+90 on encode and concatenated on decode', () => {
  const p = emptyPacket(BOOTREPLY);
  const long = Buffer.alloc(600, 0x41);
  p.options.set(Opt.MESSAGE_TYPE, Buffer.from([MessageType.ACK])).set(Opt.VENDOR_SPECIFIC, long);
  const wire = encode(p, { maxSize: 1500 });
  assert.equal(wire[240 + 3], Opt.VENDOR_SPECIFIC);
  assert.equal(wire[240 + 4], 255);
  assert.equal(wire[240 + 3 + 257], Opt.VENDOR_SPECIFIC);
  assert.equal(wire[240 + 3 + 514 + 1], 90);
  assert.deepEqual(decode(wire).options.get(Opt.VENDOR_SPECIFIC), long);
});

test('RFC 3396 §7: split instances on the wire (not adjacent) are concatenated in order', () => {
  const parts = new Map<number, Buffer[]>();
  const order: number[] = [];
  parseTlvs(Buffer.from([12, 2, 0x61, 0x62, 0, 53, 1, 1, 12, 1, 0x63, 255, 12, 1, 0x7a]), parts, order);
  const o = DhcpOptions.fromParts(parts, order);
  assert.equal(o.hostname(), 'abc'); // after END nothing is read
  assert.deepEqual(order, [12, 53]);
});

test('option overload: decode reads file then sname; encode overflows when max size is small', () => {
  const p = emptyPacket(BOOTREPLY);
  p.options.set(Opt.MESSAGE_TYPE, Buffer.from([MessageType.OFFER]));
  for (let c = 200; c < 210; c++) p.options.set(c, Buffer.alloc(40, c));
  p.options.set(Opt.RELAY_AGENT, Buffer.from('0103616263', 'hex'));
  const wire = encode(p, { maxSize: 576 });
  assert.ok(wire.length <= 576);
  assert.equal(wire[240], Opt.OVERLOAD);
  const back = decode(wire);
  assert.ok(back.overload === 1 || back.overload === 3);
  assert.deepEqual(back.options.codes().sort((a, b) => a - b), [53, 82, ...Array.from({ length: 10 }, (_, i) => 200 + i)].sort((a, b) => a - b));
  for (let c = 200; c < 210; c++) assert.deepEqual(back.options.get(c), Buffer.alloc(40, c));
  // option 82 stays in the options field, last before END (RFC 3046 §2.2)
  const end = wire.indexOf(0xff, 240);
  assert.equal(wire[end - 7], Opt.RELAY_AGENT);
});

test('overload value inside file is ignored (no loops)', () => {
  const p = emptyPacket(BOOTREQUEST);
  const wire = encode(p);
  wire[240] = Opt.OVERLOAD; wire[241] = 1; wire[242] = 1; wire[243] = 255;
  // file: option 52 pointing to file again, then hostname
  Buffer.from([52, 1, 3, 12, 1, 0x78, 255]).copy(wire, 108);
  const back = decode(wire);
  assert.equal(back.options.hostname(), 'x');
  assert.equal(back.overload, 1);
});

test('replies are padded to the 300-byte BOOTP minimum and END-terminated', () => {
  const p = emptyPacket(BOOTREPLY);
  p.chaddr = chaddrOf('02:00:00:00:00:01');
  p.options.set(Opt.MESSAGE_TYPE, Buffer.from([MessageType.NAK]));
  const wire = encode(p);
  assert.equal(wire.length, 300);
  assert.deepEqual([...wire.subarray(240, 244)], [53, 1, 6, 255]);
  assert.equal(hwAddress(decode(wire)), '02:00:00:00:00:01');
});

test('bad input gives a DhcpDecodeError, never another exception', () => {
  assert.throws(() => decode(Buffer.alloc(100)), DhcpDecodeError);
  const ok = encode(emptyPacket(BOOTREQUEST));
  const noCookie = Buffer.from(ok); noCookie[236] = 0;
  assert.throws(() => decode(noCookie), DhcpDecodeError);
  const badLen = Buffer.from(ok); badLen[240] = 12; badLen[241] = 200; // runs past the end
  assert.throws(() => decode(badLen.subarray(0, 260)), DhcpDecodeError);
  const badHlen = Buffer.from(ok); badHlen[2] = 17;
  assert.throws(() => decode(badHlen), DhcpDecodeError);
});

test('typed accessors return undefined on wrong lengths', () => {
  const o = new DhcpOptions();
  o.set(Opt.REQUESTED_IP, Buffer.from([1, 2, 3])).set(Opt.MESSAGE_TYPE, Buffer.from([1, 2]))
    .set(Opt.MAX_MESSAGE_SIZE, Buffer.from([0, 10])).set(Opt.CLIENT_ID, Buffer.from([1]))
    .set(Opt.SERVER_ID, ipToBuf('10.0.0.1')).set(Opt.VI_VENDOR_SPECIFIC, Buffer.from([0, 0, 13]));
  assert.equal(o.requestedIp(), undefined);
  assert.equal(o.messageType(), undefined);
  assert.equal(o.maxMessageSize(), undefined);
  assert.equal(o.clientId(), undefined);
  assert.equal(o.serverId(), '10.0.0.1');
  assert.equal(deviceIdentity(o), undefined);
});
