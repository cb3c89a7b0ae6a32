// Library API of the phone simulator for tests (ACS end-to-end tests, benchmarks), README.md:
//   const phone = await startPhone({ model: 'tr181', serial: 'SIM0001', acsUrl, ca, username, password, pbx });
//   const first = await phone.boot();              // BOOTSTRAP + BOOT session, resolves when it ends
//   await phone.waitForSession((s) => s.events.includes('6 CONNECTION REQUEST'), 5000);
//   phone.get('Device.ManagementServer.PeriodicInformInterval');
//   phone.localEdit('Device.Services.VoiceService.1.SIP.Client.1.AuthUserName', '2001');
//   await phone.stop();
//   const fleet = await Fleet.start({ acsUrl, ca, phones: 10_000, models: { yealink: 1, ex: 1 } }); await fleet.settled();
// Not part of the shipped binary (test/ is never bundled).

import { SimPhone, type SimPhoneOptions } from './phone.ts';

/** Create a phone and start its connection-request listener (no session yet: call boot()). */
export async function startPhone(opts: SimPhoneOptions): Promise<SimPhone> {
  const phone = new SimPhone(opts);
  await phone.start();
  return phone;
}

export { SimPhone, type SimPhoneOptions } from './phone.ts';
export { CrServer, type CrServerOptions } from './cr-server.ts';
export type { SessionRecord, TranscriptEntry } from './cwmp-client.ts';
export { QUIRKS, parseQuirkList, type QuirkName, type Quirks } from './quirks.ts';
export { FAMILIES, getModel } from './models/index.ts';
export { SitePbx, type SitePbxDefinition, type PbxAccount, type LineSettings } from './pbx.ts';
export { Fleet, type FleetOptions, type FleetSummary, type ComplianceMode } from './fleet.ts';
export { attachNetwork, detachNetwork, type NetworkAttachment } from './net-setup.ts';
export { lineSpv, phoneLines, type LineConfig, type LineView } from './models/lines.ts';
export { firmwareImage } from './transfers.ts';
