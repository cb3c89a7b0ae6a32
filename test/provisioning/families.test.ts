// Every simulated model family (models/README.md behaviours 1–6) reaches compliance offline, or
// a clear failure with the reason where the model cannot do what the template asks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offlinePhone, plannerFor, runPlan } from './helpers.ts';
import { verdict } from '../../src/provisioning/compliance.ts';
import { FAMILIES } from '../sim/index.ts';

const SITE = {
  'inform.interval': '300', 'sip.proxy': 'pbx.site.lan', 'sip.proxyPort': '5060', 'sip.transport': 'UDP', 'sip.registrar': 'pbx.site.lan',
  'sip.domain': 'site.lan', 'qos.sipDscp': '26', 'qos.rtpDscp': '46', 'ntp.server': 'ntp.site.lan', 'timezone': 'CET-1CEST,M3.5.0/2,M10.5.0/3',
  'dtmf.method': 'RFC4733', 'line[1].enable': 'true', 'line[1].authUser': '2101', 'line[1].password': 'pw-2101', 'line[1].number': '2101',
  'line[1].displayName': 'Pump house',
};
const ctx = { assigned: true, assignmentReason: '', intentErrors: [], interrupted: null };
const EXPECTED_PROFILE: Record<string, string> = {
  tr181: 'std-tr181-i2', tr098: 'std-tr098-i1', yealink: 'yealink', grandstream: 'grandstream', aastra: 'aastra', unify: 'std-device-i1', ex: 'std-tr098-i1',
};

for (const family of Object.keys(FAMILIES)) {
  test(`${family}: factory phone → compliant, line 1 registered`, () => {
    const { phone, host } = offlinePhone(family, {}, 'FAM0001');
    const pl = plannerFor(phone.model.family.root, SITE, { oui: phone.state.identity.oui });
    const methods = runPlan(pl, host);
    const r = pl.result();
    const v = verdict(r, ctx);
    assert.equal(r.profile, EXPECTED_PROFILE[family] ?? r.profile);
    assert.equal(v.state, 'compliant', `${v.reason}\n${methods.join(',')}\n${JSON.stringify(r.params.filter((p) => p.status !== 'ok'), null, 1)}`);
    assert.equal(phone.lines()[0]?.verdict.registered, true, JSON.stringify(phone.lines()[0]));
  });
}

test('unify (no AddObject): a second line is a clear failure, the first line still provisioned', () => {
  const { phone, host } = offlinePhone('unify', {}, 'UNI0001');
  const pl = plannerFor('Device.', { ...SITE, 'line[2].enable': 'true', 'line[2].authUser': '2102' }, { oui: phone.state.identity.oui });
  const methods = runPlan(pl, host);
  assert.ok(!methods.includes('AddObject'), 'never tries what GetRPCMethods does not offer');
  const v = verdict(pl.result(), ctx);
  assert.equal(v.state, 'failed');
  assert.match(v.reason, /AddObject/);
  assert.equal(phone.lines()[0]?.verdict.registered, true);
});

for (const family of ['unify', 'ex', 'yealink']) {
  test(`${family} naming single-instance tables without their number (omitSingleInstance): recognised and compliant`, () => {
    const { phone, host } = offlinePhone(family, { omitSingleInstance: true }, 'OMIT001');
    const pl = plannerFor(phone.model.family.root, SITE, { oui: phone.state.identity.oui });
    runPlan(pl, host);
    const v = verdict(pl.result(), ctx);
    assert.equal(v.state, 'compliant', v.reason);
    assert.equal(phone.lines()[0]?.verdict.registered, true);
  });
}
