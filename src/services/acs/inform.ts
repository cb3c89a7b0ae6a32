// What an Inform tells us, stored before the InformResponse leaves (tr069-protocol.md §1.8:
// "persist the Inform data before sending InformResponse").

import type { Inform } from '../../protocols/cwmp/types.ts';
import type { InformFacts } from '../../store/devices.ts';

const LEAF = (params: Inform['parameters'], suffix: string): string | undefined =>
  params.find((p) => p.name.endsWith(suffix) && p.name.split('.').length <= 4)?.value;

/** The root object from the first path component (§2.1 root detection). */
export function rootOf(inform: Inform): string {
  const first = inform.parameters[0]?.name.split('.')[0];
  return first === 'InternetGatewayDevice' ? 'InternetGatewayDevice' : first === 'Device' ? 'Device' : (first ?? '');
}

export function informFacts(inform: Inform, o: { id: string; cwmpVersion: string; remoteIp: string; at: string }): InformFacts {
  const codes = new Set(inform.events.map((e) => e.code.trim().toUpperCase()));
  const p = inform.parameters;
  const facts: InformFacts = {
    id: o.id,
    oui: inform.deviceId.oui,
    productClass: inform.deviceId.productClass,
    serial: inform.deviceId.serialNumber,
    manufacturer: inform.deviceId.manufacturer,
    root: rootOf(inform),
    cwmpVersion: o.cwmpVersion,
    remoteIp: o.remoteIp,
    boot: codes.has('1 BOOT'),
    bootstrap: codes.has('0 BOOTSTRAP'),
    at: o.at,
  };
  const sw = LEAF(p, '.DeviceInfo.SoftwareVersion');
  const hw = LEAF(p, '.DeviceInfo.HardwareVersion');
  const pc = LEAF(p, '.DeviceInfo.ProvisioningCode');
  const pk = LEAF(p, '.ManagementServer.ParameterKey');
  const cr = LEAF(p, '.ManagementServer.ConnectionRequestURL');
  if (sw !== undefined) facts.softwareVersion = sw;
  if (hw !== undefined) facts.hardwareVersion = hw;
  if (pc !== undefined) facts.provisioningCode = pc;
  if (pk !== undefined) facts.parameterKey = pk;
  if (cr !== undefined) facts.crUrl = cr;
  return facts;
}

export function hasEvent(inform: Inform, code: string): boolean {
  return inform.events.some((e) => e.code.trim().toUpperCase() === code);
}
