import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import {
  parseQuery, fastQuestionEnd, fastEdnsSize, encodeResponse, errorResponse, inspectResponse, MessageWriter,
  reverseName, encodeName, nameText, RCODE, TYPE, type QuestionWire, type ResourceRecord,
} from './index.ts';

// Golden queries captured from the real tools (dig 9.18, kdig 3.2) sent to a UDP listener.
const DIG_QUERY = Buffer.from('7c6901200001000000000001034163530453697465074578616d706c65000001000100002904d000000000000c000a0008c998e1a4890256bf', 'hex');
const KDIG_QUERY = Buffer.from('bf4e01200001000000000000045f736970045f7564700473697465076578616d706c650000210001', 'hex');

const question = (q: Buffer): QuestionWire => {
  const p = parseQuery(q);
  assert.ok(!('error' in p));
  return { wire: q.subarray(12, p.nameEnd), text: p.plain ? p.qname : null, qtype: p.qtype, qclass: p.qclass };
};

test('parseQuery reads dig\'s query: mixed case name, RD, EDNS 1232 with a cookie', () => {
  const q = parseQuery(DIG_QUERY);
  assert.ok(!('error' in q));
  assert.equal(q.id, 0x7c69);
  assert.equal(q.qname, 'acs.site.example');
  assert.equal(q.plain, true);
  assert.equal(q.qtype, TYPE.A);
  assert.equal(q.flags & 0x0100, 0x0100);
  assert.deepEqual(q.edns, { udpSize: 1232, version: 0, dnssecOk: false });
  assert.equal(fastQuestionEnd(DIG_QUERY), q.nameEnd);
  assert.equal(fastEdnsSize(DIG_QUERY, q.nameEnd + 4), 1232);
});

test('parseQuery reads kdig\'s SRV query without EDNS', () => {
  const q = parseQuery(KDIG_QUERY);
  assert.ok(!('error' in q));
  assert.equal(q.qname, '_sip._udp.site.example');
  assert.equal(q.qtype, TYPE.SRV);
  assert.equal(q.edns, null);
  assert.equal(fastEdnsSize(KDIG_QUERY, q.questionEnd), 0);
});

test('parseQuery: responses dropped, other opcodes NOTIMP, bad shapes FORMERR', () => {
  const resp = Buffer.from(KDIG_QUERY); resp[2]! |= 0x80;
  assert.equal((parseQuery(resp) as { error: string }).error, 'drop');
  assert.equal((parseQuery(Buffer.alloc(5)) as { error: string }).error, 'drop');
  const notify = Buffer.from(KDIG_QUERY); notify[2] = (4 << 3);
  assert.equal((parseQuery(notify) as { error: string }).error, 'notimp');
  const two = Buffer.from(KDIG_QUERY); two[5] = 2;
  assert.equal((parseQuery(two) as { error: string }).error, 'formerr');
  const cut = KDIG_QUERY.subarray(0, KDIG_QUERY.length - 3);
  assert.equal((parseQuery(cut) as { error: string }).error, 'formerr');
  const ptr = Buffer.concat([KDIG_QUERY.subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
  assert.equal((parseQuery(ptr) as { error: string }).error, 'formerr');
  // Two OPT records (RFC 6891 §6.1.1).
  const opt = DIG_QUERY.subarray(DIG_QUERY.length - 23);
  const twoOpt = Buffer.concat([DIG_QUERY, opt]); twoOpt[11] = 2;
  assert.equal((parseQuery(twoOpt) as { error: string }).error, 'formerr');
});

test('names: escapes keep a dotted label apart from two labels; reverse names', () => {
  const wire = Buffer.from([3, 0x61, 0x2e, 0x42, 1, 0x63, 0]);
  assert.deepEqual(nameText(wire, 0, wire.length), { name: 'a\\.b.c', plain: false });
  assert.equal(reverseName('10.78.1.20'), '20.1.78.10.in-addr.arpa');
  assert.equal(reverseName('2001:db8::1'), '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  assert.throws(() => encodeName('x'.repeat(64) + '.example'));
});

test('golden: A answer for dig\'s query compresses the owner to a pointer at the question', () => {
  const out = encodeResponse({
    id: 0x7c69, flags: 0x0400 | 0x0100, rcode: 0, question: question(DIG_QUERY),
    answer: [{ name: 'acs.site.example', ttl: 300, data: { type: 'A', address: '10.78.0.1' } }],
    authority: [], additional: [], ednsSize: 1232,
  });
  assert.equal(out.toString('hex'),
    '7c69' + '8500' + '0001000100000001' +
    '034163530453697465074578616d706c6500' + '00010001' +
    'c00c' + '0001' + '0001' + '0000012c' + '0004' + '0a4e0001' +
    '00' + '0029' + '04d0' + '00000000' + '0000');
});

const srvRecords: ResourceRecord[] = [
  { name: '_sip._udp.site.example', ttl: 300, data: { type: 'SRV', priority: 10, weight: 100, port: 5060, target: 'sip1.site.example' } },
  { name: '_sip._udp.site.example', ttl: 300, data: { type: 'SRV', priority: 20, weight: 100, port: 5060, target: 'sip2.site.example' } },
];
const srvAdditional: ResourceRecord[] = [
  { name: 'sip1.site.example', ttl: 300, data: { type: 'A', address: '10.78.0.5' } },
  { name: 'sip2.site.example', ttl: 300, data: { type: 'A', address: '10.78.0.6' } },
];

test('SRV answer: decodes with dns-packet, SRV targets uncompressed, later names point at them', () => {
  const out = encodeResponse({
    id: 1, flags: 0x0400, rcode: 0, question: question(KDIG_QUERY), answer: srvRecords,
    authority: [], additional: srvAdditional, ednsSize: null,
  });
  const d = dnsPacket.decode(out);
  assert.equal(d.answers?.length, 2);
  assert.deepEqual((d.answers![0] as { data: unknown }).data, { priority: 10, weight: 100, port: 5060, target: 'sip1.site.example' });
  assert.equal(d.additionals?.[1]?.name, 'sip2.site.example');
  // RFC 2782: the SRV target is written in full ...
  assert.ok(out.includes(Buffer.from('0473697031', 'hex')));
  // ... and the additional A owner names are 2-byte pointers, so the message is far smaller
  // than dns-packet's uncompressed encoding of the same content.
  const plain = dnsPacket.encode({ type: 'response', id: 1, flags: 0x0400, questions: d.questions, answers: d.answers, additionals: d.additionals });
  assert.ok(out.length < plain.length - 40, `${out.length} vs ${plain.length}`);
});

test('truncation: additional dropped without TC first, then TC with the question only', () => {
  const spec = { id: 1, flags: 0x0400, rcode: 0, question: question(KDIG_QUERY), answer: srvRecords, authority: [], additional: srvAdditional, ednsSize: null };
  const full = encodeResponse(spec);
  const noAr = encodeResponse(spec, full.length - 1);
  assert.equal(noAr[2]! & 0x02, 0);
  assert.equal(noAr.readUInt16BE(10), 0);
  assert.equal(noAr.readUInt16BE(6), 2);
  const tc = encodeResponse(spec, noAr.length - 1);
  assert.equal(tc[2]! & 0x02, 0x02);
  assert.equal(tc.readUInt16BE(6), 0);
  assert.equal(tc.length, KDIG_QUERY.length);
});

test('NXDOMAIN with SOA, NAPTR and BADVERS encode and decode', () => {
  const soa: ResourceRecord = { name: 'site.example', ttl: 60, data: { type: 'SOA', mname: 'ns.site.example', rname: 'hostmaster.site.example', serial: 7, refresh: 3600, retry: 600, expire: 86400, minimum: 60 } };
  const out = encodeResponse({ id: 2, flags: 0x0400, rcode: RCODE.NXDOMAIN, question: question(KDIG_QUERY), answer: [], authority: [soa], additional: [], ednsSize: 1232 });
  const d = dnsPacket.decode(out);
  assert.equal((d as { rcode?: string }).rcode, 'NXDOMAIN');
  assert.equal((d.authorities![0] as { data: { mname: string } }).data.mname, 'ns.site.example');
  const layout = inspectResponse(out)!;
  assert.equal(layout.negativeTtl, 60);
  assert.equal(layout.rcode, RCODE.NXDOMAIN);
  assert.ok(layout.optStart > 0 && layout.optEnd === out.length);

  const naptr = encodeResponse({ id: 3, flags: 0, rcode: 0, question: null, ednsSize: null, authority: [], additional: [],
    answer: [{ name: 'site.example', ttl: 300, data: { type: 'NAPTR', order: 10, preference: 50, flags: 's', services: 'SIPS+D2T', regexp: '', replacement: '_sips._tcp.site.example' } }] });
  const n = dnsPacket.decode(naptr).answers![0] as { data: { services: string; replacement: string } };
  assert.equal(n.data.services, 'SIPS+D2T');
  assert.equal(n.data.replacement, '_sips._tcp.site.example');

  const bad = encodeResponse({ id: 4, flags: 0, rcode: RCODE.BADVERS, question: null, answer: [], authority: [], additional: [], ednsSize: 1232 });
  assert.equal(bad[3]! & 0xf, 0);
  assert.equal(bad[bad.length - 6], 1); // extended rcode 1 → 16 = BADVERS (RFC 6891 §6.1.3)
});

test('errorResponse keeps id, opcode and RD', () => {
  const r = errorResponse(0xbeef, 0x2100, RCODE.NOTIMP);
  assert.equal(r.toString('hex'), 'beef' + 'a104' + '0000000000000000');
});

test('writer: names longer than 255 octets are refused', () => {
  const w = new MessageWriter();
  assert.throws(() => w.name(Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.'), true), /too long/);
});

test('fuzz: parseQuery and inspectResponse never throw on mutated messages', () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const seeds = [DIG_QUERY, KDIG_QUERY, encodeResponse({ id: 1, flags: 0x0400, rcode: 0, question: question(KDIG_QUERY), answer: srvRecords, authority: [], additional: srvAdditional, ednsSize: 1232 })];
  for (let i = 0; i < 20_000; i++) {
    const base = seeds[i % seeds.length]!;
    const m = Buffer.from(base.subarray(0, Math.max(0, Math.floor(rnd() * (base.length + 8)))));
    const flips = 1 + Math.floor(rnd() * 6);
    for (let f = 0; f < flips && m.length > 0; f++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
    parseQuery(m);
    inspectResponse(m);
    const e = fastQuestionEnd(m);
    if (e > 0) fastEdnsSize(m, e + 4);
  }
});
