// DNS end-to-end: the composed app in a network namespace, driven by dig and kdig over UDP and
// TCP from another namespace; forwarding to our own fake resolver behind a "WAN" link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DnsLab, have, haveRoot, need, parseDig, SERVER, OUTSIDE, type DigResult } from './lab.ts';

const BIG = Array.from({ length: 40 }, (_, i) => `10.78.3.${i + 1}`).join(', ');
const DNS = `  enabled: true
  listen: { host: ${SERVER}, port: 53 }
  allow: [10.78.1.0/24]
  zone:
    ntp: ${SERVER}
    hosts: { big: [${BIG}], v6: "fd00:78::5" }
    sip:
      servers:
        - { name: sip1, addresses: 10.78.1.5 }
        - { name: sip2, addresses: 10.78.1.6, priority: 20 }
    reverse: [10.78.1.0/24]
  upstream: { servers: [10.78.2.2], timeout: 1500ms, attemptTimeout: 500ms, downAfter: 3, probeInterval: 1s }`;

const ok = haveRoot() && have('dig') && have('kdig');
const lab = new DnsLab();
let ready = false;

before(async () => {
  if (!ok) return;
  await lab.up();
  await lab.boot(DNS, [['10.78.1.100', 'Jetty-Phone-7'], ['10.78.1.101', 'muster1']]);
  ready = true;
});
after(() => lab.down());

const dig = (...args: string[]): DigResult => {
  const r = lab.client(['dig', `@${SERVER}`, '+tries=1', '+time=4', ...args]);
  return parseDig(r.stdout, r.ms);
};
const kdig = (...args: string[]) => lab.client(['kdig', `@${SERVER}`, '+retry=0', '+time=4', ...args]).stdout;

function skip(t: { skip(m: string): void }): boolean {
  if (!need(t, ok, 'root, ip netns, dig (bind9-dnsutils) and kdig (knot-dnsutils)')) return true;
  assert.ok(ready, 'lab is up');
  return false;
}

test('dig over UDP and TCP: A, AAAA, NS, SOA; flags qr aa rd ra; compressed answer size', (t) => {
  if (skip(t)) return;
  for (const tcp of ['+notcp', '+tcp']) {
    const a = dig(tcp, 'acs.site.example', 'A');
    assert.equal(a.status, 'NOERROR');
    assert.deepEqual(a.answers, [`acs.site.example. 300 IN A ${SERVER}`]);
    assert.ok(a.flags.includes('aa') && a.flags.includes('qr') && a.flags.includes('rd') && a.flags.includes('ra'), a.flags.join(' '));
    assert.deepEqual(dig(tcp, 'ntp.site.example').answers, [`ntp.site.example. 300 IN A ${SERVER}`]);
    assert.deepEqual(dig(tcp, 'v6.site.example', 'AAAA').answers, ['v6.site.example. 300 IN AAAA fd00:78::5']);
    assert.deepEqual(dig(tcp, 'site.example', 'NS').answers, ['site.example. 300 IN NS ns.site.example.']);
    assert.match(dig(tcp, 'site.example', 'SOA').answers[0]!, /^site\.example\. 300 IN SOA ns\.site\.example\. hostmaster\.site\.example\. \d+ 3600 600 604800 60$/);
  }
  // Name compression: 28-byte header+question for acs.site.example, 16 bytes for the answer
  // (2-byte pointer owner), 11 bytes of OPT = 61 (dnsmasq sends the same size).
  assert.equal(dig('acs.site.example').msgSize, 61);
});

test('SRV for _sip._udp/_sip._tcp/_sips._tcp and the ACS, NAPTR with SRV and A in additional', (t) => {
  if (skip(t)) return;
  const srv = dig('_sip._udp.site.example', 'SRV');
  assert.deepEqual(srv.answers, ['_sip._udp.site.example. 300 IN SRV 10 100 5060 sip1.site.example.', '_sip._udp.site.example. 300 IN SRV 20 100 5060 sip2.site.example.']);
  assert.deepEqual(srv.additional, ['sip1.site.example. 300 IN A 10.78.1.5', 'sip2.site.example. 300 IN A 10.78.1.6']);
  assert.equal(dig('_sip._tcp.site.example', 'SRV').answers.length, 2);
  assert.match(dig('_sips._tcp.site.example', 'SRV').answers[0]!, / 5061 sip1\.site\.example\.$/);
  assert.deepEqual(dig('_cwmp._tcp.site.example', 'SRV').answers, ['_cwmp._tcp.site.example. 300 IN SRV 0 0 7547 acs.site.example.']);
  const naptr = dig('site.example', 'NAPTR');
  assert.deepEqual(naptr.answers, [
    'site.example. 300 IN NAPTR 10 50 "s" "SIPS+D2T" "" _sips._tcp.site.example.',
    'site.example. 300 IN NAPTR 20 50 "s" "SIP+D2T" "" _sip._tcp.site.example.',
    'site.example. 300 IN NAPTR 30 50 "s" "SIP+D2U" "" _sip._udp.site.example.',
  ]);
  assert.ok(naptr.additional.some((l) => l.startsWith('_sips._tcp.site.example. 300 IN SRV')));
  // kdig, UDP and TCP.
  for (const tcp of ['+notcp', '+tcp']) {
    const out = kdig(tcp, '+short', '_sip._tcp.site.example', 'SRV');
    assert.equal(out.trim(), '10 100 5060 sip1.site.example.\n20 100 5060 sip2.site.example.');
  }
});

test('NXDOMAIN and NODATA carry the SOA; PTR and A for phones from their leases, also a new lease', async (t) => {
  if (skip(t)) return;
  const nx = dig('nope.site.example');
  assert.equal(nx.status, 'NXDOMAIN');
  assert.match(nx.authority[0]!, /^site\.example\. 60 IN SOA ns\.site\.example\./);
  assert.ok(nx.flags.includes('aa'));
  const nodata = dig('acs.site.example', 'TXT');
  assert.equal(nodata.status, 'NOERROR');
  assert.equal(nodata.answers.length, 0);
  assert.equal(nodata.authority.length, 1);
  assert.deepEqual(dig('jetty-phone-7.site.example').answers, ['jetty-phone-7.site.example. 60 IN A 10.78.1.100']);
  assert.deepEqual(dig('-x', '10.78.1.100').answers, ['100.1.78.10.in-addr.arpa. 60 IN PTR jetty-phone-7.site.example.']);
  assert.equal(kdig('+short', '+tcp', '-x', '10.78.1.101').trim(), 'muster1.site.example.');
  assert.deepEqual(dig('-x', SERVER).answers, [`1.1.78.10.in-addr.arpa. 300 IN PTR acs.site.example.`]);
  assert.equal(dig('-x', '10.78.1.150').status, 'NXDOMAIN');
  // A phone gets a lease now: DHCP emits 'dhcp.lease', the zone follows within a second.
  await lab.command('lease 10.78.1.150 tank-farm-3', (l) => l.includes('"leased"'));
  let r = dig('-x', '10.78.1.150');
  for (let i = 0; i < 30 && r.status !== 'NOERROR'; i++) { await new Promise((res) => setTimeout(res, 100)); r = dig('-x', '10.78.1.150'); }
  assert.deepEqual(r.answers, ['150.1.78.10.in-addr.arpa. 60 IN PTR tank-farm-3.site.example.']);
  assert.deepEqual(dig('tank-farm-3.site.example').answers, ['tank-farm-3.site.example. 60 IN A 10.78.1.150']);
});

test('EDNS payload size honoured: TC over UDP when too big, dig falls back to TCP and gets everything', (t) => {
  if (skip(t)) return;
  const tc = dig('+ignore', '+bufsize=512', 'big.site.example');
  assert.ok(tc.flags.includes('tc'), tc.flags.join(' '));
  assert.equal(tc.answers.length, 0);
  const noEdns = dig('+ignore', '+noedns', 'big.site.example');
  assert.ok(noEdns.flags.includes('tc'));
  const retried = dig('+bufsize=512', 'big.site.example');
  assert.equal(retried.answers.length, 40);
  assert.match(retried.raw, /Truncated, retrying in TCP mode/);
  assert.equal(dig('+bufsize=4096', 'big.site.example').answers.length, 40);
  assert.match(kdig('+bufsize=4096', 'big.site.example'), /ANSWER: 40/);
  assert.match(kdig('+tcp', 'big.site.example'), /ANSWER: 40/);
});

test('not an open resolver: a client outside the allowed networks gets REFUSED over UDP and TCP', (t) => {
  if (skip(t)) return;
  for (const tcp of ['+notcp', '+tcp']) {
    for (const name of ['acs.site.example', 'www.example.net']) {
      const r = dig(tcp, '-b', OUTSIDE, name);
      assert.equal(r.status, 'REFUSED', `${tcp} ${name}`);
      assert.equal(r.answers.length, 0);
    }
  }
  assert.match(kdig('-b', OUTSIDE, 'acs.site.example'), /status: REFUSED/);
});

test('forwarding with a cache; WAN down: SERVFAIL within the bound, local names keep answering, health raised then cleared', async (t) => {
  if (skip(t)) return;
  const first = dig('www.example.net');
  assert.equal(first.status, 'NOERROR');
  assert.ok(first.flags.includes('ra') && !first.flags.includes('aa'));
  const second = dig('WWW.example.net');
  assert.deepEqual(second.answers.map((l) => l.split(' ').pop()), first.answers.map((l) => l.split(' ').pop()), 'cached answer');
  assert.equal(dig('+tcp', 'nx.example.net').status, 'NXDOMAIN');

  lab.wan(false);
  const dead = dig('other.example.net');
  assert.equal(dead.status, 'SERVFAIL');
  assert.ok(dead.ms < 2500, `SERVFAIL after ${Math.round(dead.ms)} ms (budget 1.5 s)`);
  await lab.waitHealth((c) => c.includes('DNS_UPSTREAM_DOWN'));
  const fast = dig('third.example.net');
  assert.equal(fast.status, 'SERVFAIL');
  assert.ok(fast.ms < 500, `SERVFAIL at once while down (${Math.round(fast.ms)} ms)`);
  assert.equal(dig('acs.site.example').status, 'NOERROR', 'local names keep answering');
  assert.equal(dig('WWW.example.net').status, 'NOERROR', 'cached names keep answering');

  lab.wan(true);
  await lab.waitHealth((c) => !c.includes('DNS_UPSTREAM_DOWN'));
  assert.equal(dig('other.example.net').status, 'NOERROR');
});
