import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProvisioningDocuments } from '../../src/provisioning/index.ts';
import { parseInventory } from '../../src/provisioning/inventory.ts';

test('examples/site parses, and its inventory validates against it', () => {
  const dir = join(import.meta.dirname, '../../examples/site');
  const files = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  const c = parseProvisioningDocuments(files);
  assert.ok(Object.keys(c.templates['site-base']!.values).length >= 40, 'the ~45-parameter site template');
  const inv = parseInventory(readFileSync(join(dir, 'inventory.csv'), 'utf8'), c);
  assert.equal(inv.report.ok, true, JSON.stringify(inv.report.errors));
});

test('inventory: every bad row and column is reported, nothing accepted', () => {
  const c = parseProvisioningDocuments({ 'p.yaml': 'zones:\n  z: { template: t }\ntemplates:\n  t: {}\npositions:\n  P1: { zone: z, match: { serial: S1 } }\n' });
  const { report, entries } = parseInventory('position,line[1].number,line[1].password,qos.rtpDscp\nP1,2001,secret,46\nP9,2002,,\nP1,2003,,99\n', c);
  assert.equal(report.ok, false);
  assert.deepEqual(report.errors.map((e) => [e.line, e.column]), [[3, 'position'], [4, 'position'], [4, 'qos.rtpDscp']]);
  assert.equal(entries.length > 0, true);
  const bad = parseInventory('serial,line[1].pasword\nS1,x\n', c);
  assert.match(bad.report.errors[0]!.message, /unknown intent 'line\[1\]\.pasword'/);
  const quoted = parseInventory('mac,line[1].displayName\n"00:15:65:AA:BB:CC","Pump, north"\n', c);
  assert.deepEqual(quoted.entries, [{ scope: 'device', key: 'mac:00:15:65:aa:bb:cc', intent: 'line[1].displayName', value: 'Pump, north', secret: false }]);
});
