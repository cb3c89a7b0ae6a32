import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RCODE, TYPE, type ResourceRecord } from '../../protocols/dns/index.ts';
import { NOW, lease, siteConfig } from '../../../test/dns/helpers.ts';
import { resolveSettings } from './settings.ts';
import { ZoneBuilder, hostLabel, reverseZones } from './zone-build.ts';

const DNS = `  enabled: true
  listen: { host: 10.78.1.1, port: 5353 }
  zone:
    ntp: 10.78.1.2
    hosts: { syslog: 10.78.1.9, dual: [10.78.1.10, "fd00::10"] }
    sip:
      servers:
        - { name: sip1, addresses: 10.78.1.5 }
        - { name: sip2, addresses: 10.78.1.6, priority: 20, transports: [udp] }
    srv: [{ name: _ldap._tcp, port: 389, target: syslog }]
    reverse: [10.78.1.0/24]`;

const data = (rrs: ResourceRecord[] | undefined) => (rrs ?? []).map((r) => r.data);

test('settings: domain normalized, ACS from its listen address, allow = DHCP subnets + loopback', () => {
  const cfg = siteConfig('  enabled: true', `dhcp:
  scopes: [{ name: v, subnet: 10.78.2.0/24, ranges: [{ start: 10.78.2.10, end: 10.78.2.20 }] }]`);
  const s = resolveSettings(cfg.dns, cfg);
  assert.equal(s.zone.domain, 'site.example');
  assert.deepEqual(s.zone.acs, ['10.78.1.1']);
  assert.equal(s.zone.acsPort, 7547);
  assert.deepEqual(s.allow, ['10.78.2.0/24', '127.0.0.0/8', '::1/128']);
  assert.deepEqual(s.zone.reverse, ['10.78.2.0/24']);
  assert.deepEqual(s.listen, [{ host: '127.0.0.1', port: 53 }]);
});

test('site zone: A/AAAA, SRV per SIP transport, NAPTR (RFC 3263 §4.1), ACS SRV, SOA/NS', () => {
  const cfg = siteConfig(DNS);
  const zone = new ZoneBuilder(resolveSettings(cfg.dns, cfg).zone).build([], NOW);
  assert.deepEqual(data(zone.lookup('acs.site.example', TYPE.A)?.answer), [{ type: 'A', address: '10.78.1.1' }]);
  assert.deepEqual(data(zone.lookup('ntp.site.example', TYPE.A)?.answer), [{ type: 'A', address: '10.78.1.2' }]);
  assert.deepEqual(data(zone.lookup('dual.site.example', TYPE.AAAA)?.answer), [{ type: 'AAAA', address: 'fd00::10' }]);
  assert.deepEqual(data(zone.lookup('_cwmp._tcp.site.example', TYPE.SRV)?.answer),
    [{ type: 'SRV', priority: 0, weight: 0, port: 7547, target: 'acs.site.example' }]);
  const udp = zone.lookup('_sip._udp.site.example', TYPE.SRV)!;
  assert.deepEqual(data(udp.answer).map((d) => d.type === 'SRV' && `${d.priority} ${d.port} ${d.target}`), ['10 5060 sip1.site.example', '20 5060 sip2.site.example']);
  assert.deepEqual(data(udp.additional), [{ type: 'A', address: '10.78.1.5' }, { type: 'A', address: '10.78.1.6' }]);
  assert.deepEqual(data(zone.lookup('_sips._tcp.site.example', TYPE.SRV)?.answer).map((d) => d.type === 'SRV' && d.port), [5061]);
  const naptr = data(zone.lookup('site.example', TYPE.NAPTR)?.answer).map((d) => d.type === 'NAPTR' && `${d.order} ${d.services} ${d.replacement}`);
  assert.deepEqual(naptr, ['10 SIPS+D2T _sips._tcp.site.example', '20 SIP+D2T _sip._tcp.site.example', '30 SIP+D2U _sip._udp.site.example']);
  assert.deepEqual(data(zone.lookup('_ldap._tcp.site.example', TYPE.SRV)?.answer).map((d) => d.type === 'SRV' && d.target), ['syslog.site.example']);
  const soa = zone.lookup('site.example', TYPE.SOA)!.answer[0]!;
  assert.equal(soa.data.type === 'SOA' && soa.data.minimum, 60);
  assert.deepEqual(data(zone.lookup('site.example', TYPE.NS)?.answer), [{ type: 'NS', target: 'ns.site.example' }]);
  assert.deepEqual(data(zone.lookup('ns.site.example', TYPE.A)?.answer), [{ type: 'A', address: '10.78.1.1' }]);
});

test('NXDOMAIN vs NODATA: SOA in authority with the negative TTL; empty non-terminals exist (RFC 8020)', () => {
  const cfg = siteConfig(DNS);
  const zone = new ZoneBuilder(resolveSettings(cfg.dns, cfg).zone).build([], NOW);
  const nx = zone.lookup('nope.site.example', TYPE.A)!;
  assert.equal(nx.rcode, RCODE.NXDOMAIN);
  assert.equal(nx.authority[0]!.data.type, 'SOA');
  assert.equal(nx.authority[0]!.ttl, 60);
  assert.equal(zone.lookup('acs.site.example', TYPE.AAAA)!.rcode, RCODE.NOERROR);
  assert.equal(zone.lookup('acs.site.example', TYPE.AAAA)!.answer.length, 0);
  assert.equal(zone.lookup('_udp.site.example', TYPE.A)!.rcode, RCODE.NOERROR);
  assert.equal(zone.lookup('x.acs.site.example', TYPE.A)!.rcode, RCODE.NXDOMAIN);
  assert.equal(zone.lookup('example.com', TYPE.A), null);
  assert.equal(zone.lookup('5.2.78.10.in-addr.arpa', TYPE.PTR), null, 'outside the reverse zones: forwarded');
});

test('leases: <hostname>.<domain> A and PTR, TTL ≤ time left, static names win, newest of duplicates', () => {
  const cfg = siteConfig(DNS);
  const zone = new ZoneBuilder(resolveSettings(cfg.dns, cfg).zone).build([
    lease('10.78.1.100', 'Phone-Jetty_1.local'),
    lease('10.78.1.101', 'acs'),                                        // a static name: ignored
    lease('10.78.1.102', 'twin', { updatedAt: NOW - 5000 }),
    lease('10.78.1.103', 'twin', { updatedAt: NOW - 10 }),              // newest wins
    lease('10.78.1.104', 'soon', { expiresAt: NOW + 20_000 }),
    lease('10.78.1.105', 'gone', { expiresAt: NOW - 1 }),
    lease('10.78.1.106', '---'),
  ], NOW);
  const a = zone.lookup('phone-jetty-1.site.example', TYPE.A)!.answer;
  assert.deepEqual(data(a), [{ type: 'A', address: '10.78.1.100' }]);
  assert.equal(a[0]!.ttl, 60);
  assert.deepEqual(data(zone.lookup('100.1.78.10.in-addr.arpa', TYPE.PTR)?.answer), [{ type: 'PTR', target: 'phone-jetty-1.site.example' }]);
  assert.deepEqual(data(zone.lookup('acs.site.example', TYPE.A)?.answer), [{ type: 'A', address: '10.78.1.1' }]);
  assert.equal(zone.lookup('101.1.78.10.in-addr.arpa', TYPE.PTR)!.rcode, RCODE.NXDOMAIN);
  assert.deepEqual(data(zone.lookup('twin.site.example', TYPE.A)?.answer), [{ type: 'A', address: '10.78.1.103' }]);
  assert.equal(zone.lookup('soon.site.example', TYPE.A)!.answer[0]!.ttl, 20);
  assert.equal(zone.lookup('gone.site.example', TYPE.A)!.rcode, RCODE.NXDOMAIN);
  // Static addresses get PTRs too (the first name given to the address).
  assert.deepEqual(data(zone.lookup('1.1.78.10.in-addr.arpa', TYPE.PTR)?.answer), [{ type: 'PTR', target: 'acs.site.example' }]);
  assert.equal(zone.lookup('1.78.10.in-addr.arpa', TYPE.SOA)!.answer[0]!.data.type, 'SOA');
});

test('reverse zones on octet boundaries; host labels', () => {
  assert.deepEqual(reverseZones(['10.78.1.0/24']), ['1.78.10.in-addr.arpa']);
  assert.deepEqual(reverseZones(['10.78.0.0/16']), ['78.10.in-addr.arpa']);
  assert.equal(reverseZones(['10.78.16.0/20']).length, 16);
  assert.equal(reverseZones(['10.78.16.0/20'])[15], '31.78.10.in-addr.arpa');
  assert.deepEqual(reverseZones(['10.78.1.128/25']), ['1.78.10.in-addr.arpa']);
  assert.equal(hostLabel('SIP-T46U.site.lan'), 'sip-t46u');
  assert.equal(hostLabel(' '), null);
  assert.equal(hostLabel('x'.repeat(80))!.length, 63);
});
