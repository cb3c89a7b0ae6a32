// Pieces shared by families whose DeviceInfo/ManagementServer leaves are the TR-106 ones (the
// same leaf names under Device:1, Device:2 and InternetGatewayDevice:1, tr069-protocol.md §10.2–10.3).
// Everything here is data; `${name}` placeholders are filled from the phone's identity.

import type { FamilyPaths } from '../types.ts';

export function paths(root: string): FamilyPaths {
  const ms = `${root}ManagementServer.`;
  return {
    url: `${ms}URL`, username: `${ms}Username`, password: `${ms}Password`,
    periodicEnable: `${ms}PeriodicInformEnable`, periodicInterval: `${ms}PeriodicInformInterval`,
    parameterKey: `${ms}ParameterKey`, crUrl: `${ms}ConnectionRequestURL`,
    crUsername: `${ms}ConnectionRequestUsername`, crPassword: `${ms}ConnectionRequestPassword`,
    softwareVersion: `${root}DeviceInfo.SoftwareVersion`,
  };
}

/** Factory values of DeviceInfo and ManagementServer. */
export function identityFactory(root: string): Record<string, string> {
  const di = `${root}DeviceInfo.`;
  const ms = `${root}ManagementServer.`;
  return {
    [`${di}Manufacturer`]: '${manufacturer}',
    [`${di}ManufacturerOUI`]: '${oui}',
    [`${di}ModelName`]: '${modelName}',
    [`${di}Description`]: '${manufacturer} ${modelName} (Outpost phone simulator)',
    [`${di}ProductClass`]: '${productClass}',
    [`${di}SerialNumber`]: '${serial}',
    [`${di}HardwareVersion`]: '${hardwareVersion}',
    [`${di}DeviceStatus`]: 'Up',
    [`${ms}URL`]: '${acsUrl}',
    [`${ms}Username`]: '${acsUsername}',
    [`${ms}Password`]: '${acsPassword}',
    [`${ms}PeriodicInformEnable`]: 'true',
    [`${ms}PeriodicInformInterval`]: '${periodicInterval}',
    [`${ms}ConnectionRequestUsername`]: '${crUsername}',
    [`${ms}ConnectionRequestPassword`]: '${crPassword}',
    [`${ms}UpgradesManaged`]: 'true',
    [`${ms}STUNServerPort`]: '3478',
  };
}

/** Default notification attributes: ConnectionRequestURL and SoftwareVersion are forced active (§3.1, §10.3). */
export function notifyDefaults(root: string): Record<string, number> {
  return { [`${root}ManagementServer.ConnectionRequestURL`]: 2, [`${root}DeviceInfo.SoftwareVersion`]: 2 };
}

/** activeNotify="canDeny" parameters: fast-changing values a CPE may refuse to notify actively. */
export function canDenyDefaults(root: string): string[] {
  return [`${root}ManagementServer.ParameterKey`, `${root}DeviceInfo.UpTime`, `${root}Time.CurrentLocalTime`];
}

export function rootDerive(root: string): Record<string, 'upTime' | 'currentLocalTime' | 'connectionRequestUrl' | 'softwareVersion'> {
  return {
    [`${root}DeviceInfo.UpTime`]: 'upTime',
    [`${root}Time.CurrentLocalTime`]: 'currentLocalTime',
    [`${root}ManagementServer.ConnectionRequestURL`]: 'connectionRequestUrl',
    [`${root}DeviceInfo.SoftwareVersion`]: 'softwareVersion',
  };
}

/** ACS methods of CWMP 1.0 that a phone implements (tr069-protocol.md §3: required + common optional). */
export const RPC_1_0 = [
  'GetRPCMethods', 'SetParameterValues', 'GetParameterValues', 'GetParameterNames', 'SetParameterAttributes',
  'GetParameterAttributes', 'AddObject', 'DeleteObject', 'Reboot', 'Download', 'Upload', 'FactoryReset', 'ScheduleInform',
] as const;
/** CWMP 1.2+ adds ScheduleDownload and CancelTransfer. */
export const RPC_1_2 = [...RPC_1_0, 'ScheduleDownload', 'CancelTransfer'] as const;

/** Vendor/legacy leaves of the TR-106 ManagementServer that a Device:2 phone does not have. */
export const DEVICE1_ONLY_MS = ['KickURL', 'DownloadProgressURL', 'UDPConnectionRequestAddressNotificationLimit'];
