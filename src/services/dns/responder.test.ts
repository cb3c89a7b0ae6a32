import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { Metrics } from '../../core/metrics.ts';
import { createLogger } from '../../core/log.ts';
import { NOW, decode, lease, query, siteConfig } from '../../../test/dns/helpers.ts';
import { resolveSettings } from './settings.ts';
import { ZoneBuilder } from './zone-build.ts';
import { ClientAcl } from './acl.ts';
import { DnsStats } from './stats.ts';
import { Responder } from './responder.ts';

const BIG = Array.from({ length: 40 }, (_, i) => `10.78.3.${i + 1}`).join(', ');
const cfg = siteConfig(`  enabled: true
  listen: { host: 10.78.1.1, port: 5353 }
  allow: [10.78.0.0/16]
  zone:
    hosts: { big: [${BIG}] }
    sip: { servers: [{ name: sip1, addresses: 10.78.1.5 }, { name: sip2, addresses: 10.78.1.6 }] }
    reverse: [10.78.1.0/24]`);
const settings = resolveSettings(cfg.dns, cfg);
const builder = new ZoneBuilder(settings.zone);

function responder(): { r: Responder; stats: DnsStats } {
  const stats = new DnsStats(new Metrics());
  const r = new Responder(builder.build([], NOW), {
    acl: new ClientAcl(settings.allow), forwarder: null, ednsUdpSize: 1232, maxUdpSize: 4096, stats,
    log: createLogger({ level: 'silent' }), now: () => NOW,
  });
  return { r, stats };
}

const ask = (r: Responder, msg: Buffer, from = '10.78.1.50', tcp = false): Buffer => {
  const out = r.respond(msg, from, tcp);
  assert.ok(out instanceof Buffer, 'a synchronous answer');
  return out;
};

test('local A: slow path then fast path give the same bytes with the client\'s id and case', () => {
  const { r } = responder();
  const first = ask(r, query('ACS.site.example', 'A', { id: 1 }));
  const second = ask(r, query('acs.SITE.example', 'A', { id: 2 }));
  const d1 = decode(first), d2 = decode(second);
  assert.equal(d1.id, 1);
  assert.equal(d2.id, 2);
  assert.equal(d1.questions![0]!.name, 'ACS.site.example');
  assert.equal(d2.questions![0]!.name, 'acs.SITE.example');
  assert.equal(d2.answers![0]!.name, 'acs.SITE.example', 'the owner is a pointer into the question');
  assert.equal((d2.answers![0] as { data: string }).data, '10.78.1.1');
  assert.equal(d2.flags! & 0x0400, 0x0400, 'AA');
  assert.equal(d2.flags! & 0x0100, 0x0100, 'RD copied');
  assert.equal(d2.flags! & 0x0080, 0, 'no RA without upstreams');
  assert.equal(first.length, second.length);
  assert.deepEqual(Buffer.from(first.toString('latin1').toLowerCase(), 'latin1').subarray(2), Buffer.from(second.toString('latin1').toLowerCase(), 'latin1').subarray(2));
  const nord = decode(ask(r, query('acs.site.example', 'A', { rd: false })));
  assert.equal(nord.flags! & 0x0100, 0);
});

test('EDNS: OPT in the answer only when the query had one (RFC 6891 §7)', () => {
  const { r } = responder();
  const plain = decode(ask(r, query('acs.site.example', 'A')));
  assert.equal(plain.additionals?.length ?? 0, 0);
  const edns = decode(ask(r, query('acs.site.example', 'A', { edns: 4096 })));
  const opt = edns.additionals!.find((a) => a.type === 'OPT') as { udpPayloadSize: number } | undefined;
  assert.equal(opt?.udpPayloadSize, 1232);
});

test('TC over UDP at 512 without EDNS, whole with a large EDNS size and over TCP', () => {
  const { r } = responder();
  for (let i = 0; i < 2; i++) { // slow path, then fast path
    const tc = ask(r, query('big.site.example', 'A'));
    assert.equal(tc[2]! & 0x02, 0x02);
    assert.equal(decode(tc).answers?.length ?? 0, 0);
    assert.ok(tc.length <= 512);
    const small = ask(r, query('big.site.example', 'A', { edns: 512 }));
    assert.equal(small[2]! & 0x02, 0x02);
    const whole = decode(ask(r, query('big.site.example', 'A', { edns: 4096 })));
    assert.equal(whole.answers?.length, 40);
    assert.equal(whole.flags! & 0x0200, 0);
    const tcp = decode(ask(r, query('big.site.example', 'A'), '10.78.1.50', true));
    assert.equal(tcp.answers?.length, 40);
  }
});

test('answers are compressed: far smaller than the same records written in full', () => {
  const { r } = responder();
  const out = ask(r, query('_sip._udp.site.example', 'SRV', { edns: 1232 }));
  const d = decode(out);
  assert.equal(d.answers?.length, 2);
  assert.equal(d.additionals?.filter((a) => a.type === 'A').length, 2);
  const full = dnsPacket.encode({ ...d, type: 'response' });
  assert.ok(out.length < full.length - 50, `${out.length} < ${full.length}`);
});

test('clients outside the allowed networks get REFUSED, for local and other names alike', () => {
  const { r, stats } = responder();
  for (const name of ['acs.site.example', 'example.com']) {
    const d = decode(ask(r, query(name, 'A'), '192.168.7.7'));
    assert.equal(d.rcode, 'REFUSED');
    assert.equal(d.questions![0]!.name, name);
    assert.equal(d.answers?.length ?? 0, 0);
  }
  assert.equal(stats.refusedClients, 2);
  assert.equal(decode(ask(r, query('acs.site.example', 'A'), '::ffff:10.78.1.9')).rcode, 'NOERROR');
});

test('not ours and no upstreams: REFUSED; NXDOMAIN with SOA; PTR', () => {
  const { r } = responder();
  assert.equal(decode(ask(r, query('example.com', 'A'))).rcode, 'REFUSED');
  const nx = decode(ask(r, query('nope.site.example', 'A')));
  assert.equal(nx.rcode, 'NXDOMAIN');
  assert.equal(nx.authorities![0]!.type, 'SOA');
  const ptr = decode(ask(r, query('5.1.78.10.in-addr.arpa', 'PTR')));
  assert.equal((ptr.answers![0] as { data: string }).data, 'sip1.site.example');
});

test('FORMERR, NOTIMP, BADVERS, other classes, AXFR; responses and runts are dropped', () => {
  const { r } = responder();
  const two = query('acs.site.example', 'A'); two[5] = 2;
  assert.equal(decode(ask(r, two)).rcode, 'FORMERR');
  const update = query('acs.site.example', 'A'); update[2] = 5 << 3;
  assert.equal(ask(r, update)[3]! & 0xf, 4);
  const v1 = ask(r, query('acs.site.example', 'A', { edns: 1232, ednsVersion: 1 }));
  assert.equal(v1[3]! & 0xf, 0);
  assert.equal(v1[v1.length - 6], 1, 'extended rcode 1 = BADVERS (RFC 6891 §6.1.3)');
  const ch = query('version.bind', 'TXT'); ch[ch.length - 1] = 3;
  assert.equal(decode(ask(r, ch)).rcode, 'REFUSED');
  assert.equal(decode(ask(r, query('site.example', 'AXFR'))).rcode, 'REFUSED');
  const resp = query('acs.site.example', 'A'); resp[2]! |= 0x80;
  assert.equal(r.respond(resp, '10.78.1.50', false), null);
  assert.equal(r.respond(Buffer.alloc(7), '10.78.1.50', false), null);
});

test('a new zone (leases changed) replaces the memoized answers', () => {
  const { r } = responder();
  assert.equal(decode(ask(r, query('phone1.site.example', 'A'))).rcode, 'NXDOMAIN');
  assert.equal(decode(ask(r, query('phone1.site.example', 'A'))).rcode, 'NXDOMAIN');
  r.setZone(builder.build([lease('10.78.1.77', 'phone1')], NOW));
  const d = decode(ask(r, query('phone1.site.example', 'A')));
  assert.equal((d.answers![0] as { data: string }).data, '10.78.1.77');
  assert.equal((decode(ask(r, query('77.1.78.10.in-addr.arpa', 'PTR'))).answers![0] as { data: string }).data, 'phone1.site.example');
});

test('fuzz: 30 000 mutated queries through the responder never throw', () => {
  const { r } = responder();
  const seeds = [query('acs.site.example', 'A', { edns: 1232 }), query('_sip._udp.site.example', 'SRV'), query('big.site.example', 'A'), query('x.example.com', 'AAAA')];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 30_000; i++) {
    const base = seeds[i % seeds.length]!;
    const m = Buffer.from(base.subarray(0, Math.floor(rnd() * (base.length + 4))));
    for (let f = 1 + Math.floor(rnd() * 4); f > 0 && m.length > 0; f--) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
    r.respond(m, '10.78.1.50', rnd() < 0.2);
  }
  assert.equal(decode(ask(r, query('acs.site.example', 'A'))).rcode, 'NOERROR');
});
