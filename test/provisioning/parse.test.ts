import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProvisioningDocuments } from '../../src/provisioning/index.ts';
import { isOutpostError } from '../../src/core/errors.ts';

const TEMPLATES = `templates:
  base:
    name: Site base
    values:
      sip.proxy: pbx.site.lan
      sip.proxyPort: 5060
      sip.transport: udp
      qos.rtpDscp: 46
      ntp.enable: yes
  ex:
    extends: base
    values:
      vlan.voice: 20
      line[1].enable: true
`;
const ZONES = `zones:
  process:
    name: Process Unit Ex Phones
    criticality: critical
    template: ex
  tank:
    template: base
    mode: report-only
    inform: { steady: 30m }
`;
const POSITIONS = `positions:
  PU-101:
    zone: process
    match: { switch: sw-pu-1, port: Gi1/0/7 }
    lines:
      1: { number: 2101, authUser: "2101", password: s3cret }
rules:
  - name: tank subnet
    match: { subnet: 10.20.0.0/24 }
    zone: tank
`;

function expectProblem(files: Record<string, string>, re: RegExp): void {
  assert.throws(() => parseProvisioningDocuments(files), (err: unknown) => {
    assert.ok(isOutpostError(err), String(err));
    assert.match(err.message, re);
    return true;
  });
}

test('templates, zones, positions and rules parse into canonical content', () => {
  const c = parseProvisioningDocuments({ 'templates.yaml': TEMPLATES, 'zones.yaml': ZONES, 'positions.yaml': POSITIONS });
  assert.equal(c.templates.base!.values['sip.transport'], 'UDP');
  assert.equal(c.templates.base!.values['ntp.enable'], 'true');
  assert.equal(c.templates.ex!.extends, 'base');
  assert.equal(c.zones.process!.inform.steady, 300_000, 'critical default');
  assert.equal(c.zones.process!.missedInforms, 2);
  assert.equal(c.zones.tank!.inform.steady, 1_800_000);
  assert.equal(c.zones.tank!.mode, 'report-only');
  assert.deepEqual(c.positions['PU-101']!.values, { 'line[1].number': '2101', 'line[1].authUser': '2101', 'line[1].password': 's3cret' });
  assert.deepEqual(c.rules[0]!.match.subnet, ['10.20.0.0/24']);
});

test('an unknown intent is refused with its file and line', () => {
  expectProblem({ 't.yaml': 'templates:\n  a:\n    values:\n      sip.proxxy: x\n' }, /t\.yaml: templates\.a\.values\.sip\.proxxy \(line 4\): unknown intent/);
});

test('a bad value names the intent and the line', () => {
  expectProblem({ 't.yaml': 'templates:\n  a:\n    values:\n      qos.rtpDscp: 99\n' }, /line 4.*qos\.rtpDscp must be ≤ 63/);
});

test('YAML syntax errors are CONFIG_PARSE with the line', () => {
  assert.throws(() => parseProvisioningDocuments({ 'bad.yaml': 'templates:\n  a: [\n' }), (e: unknown) => isOutpostError(e, 'CONFIG_PARSE') && /bad\.yaml/.test(e.message));
});

test('dangling references, cycles, duplicates and double-claimed ports are all reported', () => {
  const files = {
    'a.yaml': 'templates:\n  x: { extends: y }\n  y: { extends: x }\nzones:\n  z: { template: nope }\n',
    'b.yaml': 'templates:\n  x: {}\npositions:\n  p1: { match: { switch: s1, port: "1" } }\n  p2: { match: { switch: s1, port: "1" } }\n',
  };
  expectProblem(files, /duplicate id 'x'/);
  const f2 = { 'a.yaml': 'templates:\n  x: { extends: y }\n  y: { extends: x }\nzones:\n  z: { template: nope }\npositions:\n  p1: { zone: z, match: { switch: s1, port: "1" } }\n  p2: { zone: q, match: { switch: s1, port: "1" } }\n' };
  expectProblem(f2, /cycle/);
  expectProblem(f2, /no template 'nope'/);
  expectProblem(f2, /no zone 'q'/);
  expectProblem(f2, /already claims switch s1 port 1/);
});

test('unknown keys and empty files', () => {
  expectProblem({ 'z.yaml': 'zones:\n  a:\n    template: t\n    colour: red\n' }, /unknown key 'colour'/);
  const c = parseProvisioningDocuments({ 'empty.yaml': '', 'comment.yaml': '# nothing\n' });
  assert.deepEqual(c, { templates: {}, zones: {}, positions: {}, rules: [] });
});
