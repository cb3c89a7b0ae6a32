// Pieces shared by families whose DeviceInfo/ManagementServer leaves are the TR-106 ones (the
// same leaf names under Device:1, Device:2 and InternetGatewayDevice:1, tr069-protocol.md §10.2–10.3).
// Everything here is data; `${name}` placeholders are filled from the phone's identity.

import type { CsvSource, DeriveName, FamilyPaths } from '../types.ts';

export function paths(root: string): FamilyPaths {
  const ms = `${root}ManagementServer.`;
  return {
    url: `${ms}URL`, username: `${ms}Username`, password: `${ms}Password`,
    periodicEnable: `${ms}PeriodicInformEnable`, periodicInterval: `${ms}PeriodicInformInterval`,
    parameterKey: `${ms}ParameterKey`, crUrl: `${ms}ConnectionRequestURL`,
    crUsername: `${ms}ConnectionRequestUsername`, crPassword: `${ms}ConnectionRequestPassword`,
    softwareVersion: `${root}DeviceInfo.SoftwareVersion`, provisioningCode: `${root}DeviceInfo.ProvisioningCode`,
    stunEnable: `${ms}STUNEnable`, stunServerAddress: `${ms}STUNServerAddress`, stunServerPort: `${ms}STUNServerPort`,
    stunUsername: `${ms}STUNUsername`, stunPassword: `${ms}STUNPassword`, stunMinimumKeepAlivePeriod: `${ms}STUNMinimumKeepAlivePeriod`,
    udpConnectionRequestAddress: `${ms}UDPConnectionRequestAddress`,
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

export function rootDerive(root: string): Record<string, DeriveName> {
  return {
    [`${root}DeviceInfo.UpTime`]: 'upTime',
    [`${root}Time.CurrentLocalTime`]: 'currentLocalTime',
    [`${root}ManagementServer.ConnectionRequestURL`]: 'connectionRequestUrl',
    [`${root}DeviceInfo.SoftwareVersion`]: 'softwareVersion',
    [`${root}ManagementServer.UDPConnectionRequestAddress`]: 'udpConnectionRequestAddress',
    [`${root}ManagementServer.NATDetected`]: 'natDetected',
  };
}

/** `Device.LAN.` of TR-106 Device:1 (Yealink-style phones report their DHCP lease here). */
export function lanDerive(root: string): Record<string, DeriveName> {
  const lan = `${root}LAN.`;
  return {
    [`${lan}IPAddress`]: 'lanIp', [`${lan}SubnetMask`]: 'lanMask', [`${lan}DefaultGateway`]: 'lanGateway',
    [`${lan}DNSServers`]: 'lanDns', [`${lan}MACAddress`]: 'lanMac',
  };
}

/** The simulated phones always use DHCP: the lease values under LAN are read-only here. */
export function lanRows(root: string): string[] {
  const lan = `${root}LAN.`;
  return [
    `${lan}AddressingType,parameter,string,readWrite,enum=DHCP|Static,DHCP`,
    `${lan}IPAddress,parameter,string[IPAddress],readOnly,,`,
    `${lan}SubnetMask,parameter,string[IPAddress],readOnly,,`,
    `${lan}DefaultGateway,parameter,string,readOnly,,`,
    `${lan}DNSServers,parameter,string,readOnly,,`,
    `${lan}MACAddress,parameter,string[MACAddress],readOnly,,`,
  ];
}

/**
 * TR-104 issue 1 rows a SIP phone has (no analogue line interfaces, no MGCP/H.323). `service` is
 * the VoiceService prefix after the optional rewrite (`Device.Services.VoiceService.{i}.`, Aastra's
 * `Device.VoiceService.`).
 */
export function tr104i1Source(service: string, rewrite?: { from: string; to: string }): CsvSource {
  const vs = service;
  return {
    file: 'tr104-1-1-voice.csv', ...(rewrite ?? {}),
    include: [service],
    exclude: [`${vs}PhyInterface`, `${vs}VoiceProfile.{i}.MGCP`, `${vs}VoiceProfile.{i}.H323`,
      `${vs}VoiceProfile.{i}.Line.{i}.MGCP`, `${vs}VoiceProfile.{i}.Line.{i}.H323`, `${vs}Capabilities.MGCP`, `${vs}Capabilities.H323`],
  };
}

/** The TR-106 Device:1 root a desk IP phone reports (DeviceInfo, ManagementServer, Time, UserInterface, LAN). */
export function device1Source(): CsvSource {
  const R = 'Device.';
  return {
    file: 'tr106-1-2-root.csv',
    include: [`${R}DeviceSummary`, `${R}DeviceInfo.`, `${R}ManagementServer.`, `${R}Time.`, `${R}UserInterface.`, `${R}LAN.`],
    // Per-device diagnostics and managed-device tables a phone does not implement.
    exclude: [`${R}LAN.IPPingDiagnostics.`, `${R}LAN.TraceRouteDiagnostics.`, `${R}ManagementServer.ManageableDevice`,
      `${R}DeviceInfo.VendorConfigFile`, `${R}LAN.DHCPOption`],
  };
}

/** Rows every Device:1 phone family adds to the TR-106 root (retry timing, LAN as DHCP lease). */
export function device1Extra(): string[] {
  const R = 'Device.';
  return [
    `${R},object,,readOnly,min=1 max=1,`,
    `${R}Services.,object,,readOnly,min=1 max=1,`,
    `${R}ManagementServer.CWMPRetryMinimumWaitInterval,parameter,unsignedInt,readWrite,range=1:65535,5`,
    `${R}ManagementServer.CWMPRetryIntervalMultiplier,parameter,unsignedInt,readWrite,range=1000:65535,2000`,
    ...lanRows(R),
  ];
}

/** Forced-inform parameters of TR-106 Device:1 (tr069-protocol.md §2.1). */
export function device1Forced(): string[] {
  const R = 'Device.';
  return [`${R}DeviceSummary`, `${R}DeviceInfo.HardwareVersion`, `${R}DeviceInfo.SoftwareVersion`, `${R}DeviceInfo.ProvisioningCode`,
    `${R}ManagementServer.ParameterKey`, `${R}ManagementServer.ConnectionRequestURL`, `${R}LAN.IPAddress`];
}

/** The methods of limited agents (models/README.md behaviours 4 and 5): no Add/DeleteObject, no Upload. */
export const RPC_LIMITED = [
  'GetRPCMethods', 'SetParameterValues', 'GetParameterValues', 'GetParameterNames', 'SetParameterAttributes',
  'GetParameterAttributes', 'Download', 'Reboot', 'FactoryReset',
] as const;

/** ACS methods of CWMP 1.0 that a phone implements (tr069-protocol.md §3: required + common optional). */
export const RPC_1_0 = [
  'GetRPCMethods', 'SetParameterValues', 'GetParameterValues', 'GetParameterNames', 'SetParameterAttributes',
  'GetParameterAttributes', 'AddObject', 'DeleteObject', 'Reboot', 'Download', 'Upload', 'FactoryReset', 'ScheduleInform',
] as const;
/** CWMP 1.2+ adds ScheduleDownload and CancelTransfer. */
export const RPC_1_2 = [...RPC_1_0, 'ScheduleDownload', 'CancelTransfer'] as const;

/** Vendor/legacy leaves of the TR-106 ManagementServer that a Device:2 phone does not have. */
export const DEVICE1_ONLY_MS = ['KickURL', 'DownloadProgressURL', 'UDPConnectionRequestAddressNotificationLimit'];
