// CWMP version negotiation (tr069-protocol.md §1.9) and device id strings (§2.1, §6.1).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceIdString, negotiateVersion } from './index.ts';

test('SupportedCWMPVersions present: highest common version, echoed in UseCWMPVersion; none → 8006', () => {
  const ns = 'urn:dslforum-org:cwmp-1-2';
  assert.deepEqual(negotiateVersion(ns, { supportedVersions: ['1.0', '1.1', '1.2', '1.3', '1.4'] }), { version: '1.4', useVersionHeader: '1.4' });
  assert.deepEqual(negotiateVersion(ns, { supportedVersions: [' 1.2', '1.0 ', '1.3'] }), { version: '1.3', useVersionHeader: '1.3' });
  assert.deepEqual(negotiateVersion(ns, { supportedVersions: ['1.4', '1.5', '2.0', 'x'] }), { version: '1.4', useVersionHeader: '1.4' });
  assert.deepEqual(negotiateVersion(ns, { supportedVersions: ['2.0', '1.10'] }), { fault: 8006 });
  assert.deepEqual(negotiateVersion(ns, { supportedVersions: [] }), { version: '1.2' }, 'an empty list counts as absent');
});

test('no SupportedCWMPVersions: by namespace, cwmp-1-2 + SessionTimeout = 1.3, non-standard 1-3/1-4', () => {
  assert.deepEqual(negotiateVersion('urn:dslforum-org:cwmp-1-0', {}), { version: '1.0' });
  assert.deepEqual(negotiateVersion('urn:dslforum-org:cwmp-1-1', { id: '1' }), { version: '1.1' });
  assert.deepEqual(negotiateVersion('urn:dslforum-org:cwmp-1-2', {}), { version: '1.2' });
  assert.deepEqual(negotiateVersion('urn:dslforum-org:cwmp-1-2', { sessionTimeout: 30 }), { version: '1.3' });
  assert.deepEqual(negotiateVersion('urn:dslforum-org:cwmp-1-3', {}), { version: '1.3' });
  assert.deepEqual(negotiateVersion('urn:dslforum-org:cwmp-1-4', {}), { version: '1.4' });
});

test('deviceIdString: OUI-ProductClass-Serial, percent-encoding everything outside [A-Za-z0-9_] after UTF-8', () => {
  assert.equal(deviceIdString({ oui: '00A1B2', productClass: 'SIP-PHONE', serialNumber: 'A1 B2' }), '00A1B2-SIP%2DPHONE-A1%20B2');
  assert.equal(deviceIdString({ oui: '001565', productClass: 'SIP-T22P', serialNumber: '00156546699d' }), '001565-SIP%2DT22P-00156546699d');
  assert.equal(deviceIdString({ oui: '000B82', productClass: '', serialNumber: 'ab_12' }), '000B82-ab_12');
  assert.equal(deviceIdString({ oui: '00A1B2', productClass: 'Café', serialNumber: 'x.y/z%' }), '00A1B2-Caf%C3%A9-x%2Ey%2Fz%25');
  assert.equal(deviceIdString({ oui: '00A1B2', productClass: 'P', serialNumber: '\u{1F600}' }), '00A1B2-P-%F0%9F%98%80');
});
