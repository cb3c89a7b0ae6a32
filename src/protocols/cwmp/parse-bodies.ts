// One parser per CWMP body element (cwmp-1-0…1-4.xsd; tr069-protocol.md §2, §3). Arguments are
// looked up by local name in any namespace, arrays are read by iterating their children and never
// by trusting soap-enc:arrayType (§11.1: leading zeros, wrong counts, attribute absent).

import type {
  CwmpBody, DeviceId, EventStruct, FaultStruct, ParameterAttribute, ParameterInfo, ParameterValue,
  SetParameterAttribute, TimeWindow,
} from './types.ts';
import { attr, child, type XmlElement } from './xml.ts';
import { cleanValue, normaliseType, parseBool, parseNum, unwrapString } from './values.ts';

/** Text of a string argument (only pretty-print wrapping removed); missing → ''. */
function str(el: XmlElement, name: string): string {
  const c = child(el, name);
  return c === undefined ? '' : unwrapString(c.text);
}
/** Text of a token argument (names, dateTimes, codes): trimmed; missing → ''. */
function tok(el: XmlElement, name: string): string {
  return child(el, name)?.text.trim() ?? '';
}
function num(el: XmlElement, name: string, dflt = 0): number {
  return parseNum(child(el, name)?.text, dflt);
}
function bool(el: XmlElement, name: string): boolean {
  return parseBool(child(el, name)?.text);
}
/** Children of an array argument (whatever their element name). */
function items(el: XmlElement, name: string): XmlElement[] {
  return child(el, name)?.children ?? [];
}
function strings(el: XmlElement, name: string): string[] {
  return items(el, name).map((c) => c.text.trim());
}

export function parameterValue(s: XmlElement): ParameterValue {
  let name = '';
  let valueEl: XmlElement | undefined;
  for (const c of s.children) {
    if (c.local === 'Name') name = c.text.trim();
    else if (c.local === 'Value') valueEl = c;
  }
  if (valueEl === undefined) return { name, value: '', type: 'xsd:string' }; // Cisco SPA122 (§11.1)
  const type = normaliseType(attr(valueEl, 'type'));
  return { name, value: cleanValue(valueEl.text, type), type };
}
function parameterValues(el: XmlElement): ParameterValue[] {
  return items(el, 'ParameterList').map(parameterValue);
}
function faultStruct(el: XmlElement | undefined): FaultStruct {
  if (el === undefined) return { code: 0, string: '' };
  return { code: num(el, 'FaultCode'), string: str(el, 'FaultString') };
}
function deviceId(el: XmlElement | undefined): DeviceId {
  if (el === undefined) return { manufacturer: '', oui: '', productClass: '', serialNumber: '' };
  return {
    manufacturer: str(el, 'Manufacturer'), oui: str(el, 'OUI'), productClass: str(el, 'ProductClass'),
    serialNumber: str(el, 'SerialNumber'),
  };
}
function event(el: XmlElement): EventStruct {
  return { code: tok(el, 'EventCode'), commandKey: str(el, 'CommandKey') };
}
function parameterInfo(el: XmlElement): ParameterInfo {
  return { name: tok(el, 'Name'), writable: bool(el, 'Writable') };
}
function parameterAttribute(el: XmlElement): ParameterAttribute {
  return { name: tok(el, 'Name'), notification: num(el, 'Notification'), accessList: strings(el, 'AccessList') };
}
function setParameterAttribute(el: XmlElement): SetParameterAttribute {
  return {
    name: tok(el, 'Name'), notificationChange: bool(el, 'NotificationChange'), notification: num(el, 'Notification'),
    accessListChange: bool(el, 'AccessListChange'), accessList: strings(el, 'AccessList'),
  };
}
function timeWindow(el: XmlElement): TimeWindow {
  return {
    windowStart: num(el, 'WindowStart'), windowEnd: num(el, 'WindowEnd'), windowMode: str(el, 'WindowMode'),
    userMessage: str(el, 'UserMessage'), maxRetries: num(el, 'MaxRetries'),
  };
}
function transfer(el: XmlElement): { status: number; startTime: string; completeTime: string } {
  return { status: num(el, 'Status'), startTime: tok(el, 'StartTime'), completeTime: tok(el, 'CompleteTime') };
}
function fileArgs(el: XmlElement) {
  return {
    commandKey: str(el, 'CommandKey'), fileType: str(el, 'FileType'), url: str(el, 'URL'),
    username: str(el, 'Username'), password: str(el, 'Password'),
  };
}

type BodyParser = (el: XmlElement) => CwmpBody;

/** Parsers by method element local name (the Fault is handled in parse.ts). */
export const BODY_PARSERS: Record<string, BodyParser> = {
  // CPE → ACS requests (§2, §3.2)
  Inform: (el) => ({
    method: 'Inform', deviceId: deviceId(child(el, 'DeviceId')), events: items(el, 'Event').map(event),
    maxEnvelopes: num(el, 'MaxEnvelopes', 1), currentTime: tok(el, 'CurrentTime'), retryCount: num(el, 'RetryCount'),
    parameters: parameterValues(el),
  }),
  TransferComplete: (el) => ({
    method: 'TransferComplete', commandKey: str(el, 'CommandKey'), fault: faultStruct(child(el, 'FaultStruct')),
    startTime: tok(el, 'StartTime'), completeTime: tok(el, 'CompleteTime'),
  }),
  AutonomousTransferComplete: (el) => ({
    method: 'AutonomousTransferComplete', announceUrl: str(el, 'AnnounceURL'), transferUrl: str(el, 'TransferURL'),
    isDownload: bool(el, 'IsDownload'), fileType: str(el, 'FileType'), fileSize: num(el, 'FileSize'),
    targetFileName: str(el, 'TargetFileName'), fault: faultStruct(child(el, 'FaultStruct')),
    startTime: tok(el, 'StartTime'), completeTime: tok(el, 'CompleteTime'),
  }),
  RequestDownload: (el) => ({
    method: 'RequestDownload', fileType: str(el, 'FileType'),
    fileTypeArgs: items(el, 'FileTypeArg').map((a) => ({ name: tok(a, 'Name'), value: str(a, 'Value') })),
  }),
  GetRPCMethods: () => ({ method: 'GetRPCMethods' }),
  // ACS → CPE requests (§3.1)
  GetParameterNames: (el) => ({
    method: 'GetParameterNames', parameterPath: tok(el, 'ParameterPath'), nextLevel: bool(el, 'NextLevel'),
  }),
  GetParameterValues: (el) => ({ method: 'GetParameterValues', parameterNames: strings(el, 'ParameterNames') }),
  SetParameterValues: (el) => ({
    method: 'SetParameterValues', parameterList: parameterValues(el), parameterKey: str(el, 'ParameterKey'),
  }),
  GetParameterAttributes: (el) => ({ method: 'GetParameterAttributes', parameterNames: strings(el, 'ParameterNames') }),
  SetParameterAttributes: (el) => ({
    method: 'SetParameterAttributes', parameterList: items(el, 'ParameterList').map(setParameterAttribute),
  }),
  AddObject: (el) => ({ method: 'AddObject', objectName: tok(el, 'ObjectName'), parameterKey: str(el, 'ParameterKey') }),
  DeleteObject: (el) => ({ method: 'DeleteObject', objectName: tok(el, 'ObjectName'), parameterKey: str(el, 'ParameterKey') }),
  Reboot: (el) => ({ method: 'Reboot', commandKey: str(el, 'CommandKey') }),
  FactoryReset: () => ({ method: 'FactoryReset' }),
  Download: (el) => ({
    method: 'Download', ...fileArgs(el), fileSize: num(el, 'FileSize'), targetFileName: str(el, 'TargetFileName'),
    delaySeconds: num(el, 'DelaySeconds'), successUrl: str(el, 'SuccessURL'), failureUrl: str(el, 'FailureURL'),
  }),
  Upload: (el) => ({ method: 'Upload', ...fileArgs(el), delaySeconds: num(el, 'DelaySeconds') }),
  ScheduleInform: (el) => ({ method: 'ScheduleInform', delaySeconds: num(el, 'DelaySeconds'), commandKey: str(el, 'CommandKey') }),
  ScheduleDownload: (el) => ({
    method: 'ScheduleDownload', ...fileArgs(el), fileSize: num(el, 'FileSize'), targetFileName: str(el, 'TargetFileName'),
    timeWindows: items(el, 'TimeWindowList').map(timeWindow),
  }),
  CancelTransfer: (el) => ({ method: 'CancelTransfer', commandKey: str(el, 'CommandKey') }),
  // Responses
  InformResponse: (el) => ({ method: 'InformResponse', maxEnvelopes: num(el, 'MaxEnvelopes', 1) }),
  TransferCompleteResponse: () => ({ method: 'TransferCompleteResponse' }),
  AutonomousTransferCompleteResponse: () => ({ method: 'AutonomousTransferCompleteResponse' }),
  RequestDownloadResponse: () => ({ method: 'RequestDownloadResponse' }),
  GetRPCMethodsResponse: (el) => ({ method: 'GetRPCMethodsResponse', methods: strings(el, 'MethodList') }),
  GetParameterNamesResponse: (el) => ({
    method: 'GetParameterNamesResponse', parameters: items(el, 'ParameterList').map(parameterInfo),
  }),
  GetParameterValuesResponse: (el) => ({ method: 'GetParameterValuesResponse', parameters: parameterValues(el) }),
  SetParameterValuesResponse: (el) => ({ method: 'SetParameterValuesResponse', status: num(el, 'Status') }),
  GetParameterAttributesResponse: (el) => ({
    method: 'GetParameterAttributesResponse', parameters: items(el, 'ParameterList').map(parameterAttribute),
  }),
  SetParameterAttributesResponse: () => ({ method: 'SetParameterAttributesResponse' }),
  AddObjectResponse: (el) => ({ method: 'AddObjectResponse', instanceNumber: num(el, 'InstanceNumber'), status: num(el, 'Status') }),
  DeleteObjectResponse: (el) => ({ method: 'DeleteObjectResponse', status: num(el, 'Status') }),
  RebootResponse: () => ({ method: 'RebootResponse' }),
  FactoryResetResponse: () => ({ method: 'FactoryResetResponse' }),
  DownloadResponse: (el) => ({ method: 'DownloadResponse', ...transfer(el) }),
  UploadResponse: (el) => ({ method: 'UploadResponse', ...transfer(el) }),
  ScheduleInformResponse: () => ({ method: 'ScheduleInformResponse' }),
  ScheduleDownloadResponse: () => ({ method: 'ScheduleDownloadResponse' }),
  CancelTransferResponse: () => ({ method: 'CancelTransferResponse' }),
};
