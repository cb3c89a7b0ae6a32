// CwmpEnvelope → SOAP XML, for every body type in either direction (the ACS and the phone
// simulator both use it). Strict in what we send (tr069-protocol.md §11 principle): one fixed
// prefix set declared on the Envelope, XSD element order (§3), soap-enc:arrayType on every array,
// xsi:type on every Value, 0/1 booleans inside RPC structures (§5.1, §11.3), numeric
// Notification (§3.1), everything escaped, no fractional seconds (§11.3).

import type {
  CwmpBody, CwmpEnvelope, CwmpHeader, CwmpNamespace, EventStruct, Fault, FaultStruct, ParameterValue, TimeWindow,
} from './types.ts';
import { escapeXml, normaliseType, stripFraction } from './values.ts';
import { SOAP_ENV_NS } from './parse.ts';

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS_DECLS = `xmlns:soap-env="${SOAP_ENV_NS}" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" `
  + 'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

const t = (name: string, value: string): string => `<${name}>${escapeXml(value)}</${name}>`;
const n = (name: string, value: number): string => `<${name}>${Number.isFinite(value) ? Math.trunc(value) : 0}</${name}>`;
const b = (name: string, value: boolean): string => `<${name}>${value ? 1 : 0}</${name}>`;
const dt = (name: string, value: string): string => t(name, stripFraction(value));

function array(name: string, itemType: string, items: string[]): string {
  return `<${name} soap-enc:arrayType="${itemType}[${items.length}]">${items.join('')}</${name}>`;
}
const strings = (name: string, list: string[]): string => array(name, 'xsd:string', list.map((s) => t('string', s)));

function parameterValue(p: ParameterValue): string {
  const type = normaliseType(p.type);
  const value = type === 'xsd:dateTime' ? stripFraction(p.value) : p.value;
  return `<ParameterValueStruct>${t('Name', p.name)}<Value xsi:type="${escapeXml(type)}">${escapeXml(value)}</Value></ParameterValueStruct>`;
}
const parameterValues = (list: ParameterValue[]): string =>
  array('ParameterList', 'cwmp:ParameterValueStruct', list.map(parameterValue));
const event = (e: EventStruct): string => `<EventStruct>${t('EventCode', e.code)}${t('CommandKey', e.commandKey)}</EventStruct>`;
const faultStruct = (f: FaultStruct): string => `<FaultStruct>${n('FaultCode', f.code)}${t('FaultString', f.string)}</FaultStruct>`;
const timeWindow = (w: TimeWindow): string => `<TimeWindowStruct>${n('WindowStart', w.windowStart)}${n('WindowEnd', w.windowEnd)}`
  + `${t('WindowMode', w.windowMode)}${t('UserMessage', w.userMessage)}${n('MaxRetries', w.maxRetries)}</TimeWindowStruct>`;
const fileArgs = (x: { commandKey: string; fileType: string; url: string; username: string; password: string }): string =>
  t('CommandKey', x.commandKey) + t('FileType', x.fileType) + t('URL', x.url) + t('Username', x.username) + t('Password', x.password);

/** The arguments (inner XML) of a body element, in XSD sequence order. */
function args(body: Exclude<CwmpBody, Fault>): string {
  switch (body.method) {
    case 'Inform': {
      const d = body.deviceId;
      return `<DeviceId>${t('Manufacturer', d.manufacturer)}${t('OUI', d.oui)}${t('ProductClass', d.productClass)}`
        + `${t('SerialNumber', d.serialNumber)}</DeviceId>${array('Event', 'cwmp:EventStruct', body.events.map(event))}`
        + `${n('MaxEnvelopes', body.maxEnvelopes)}${dt('CurrentTime', body.currentTime)}${n('RetryCount', body.retryCount)}`
        + parameterValues(body.parameters);
    }
    case 'TransferComplete':
      return t('CommandKey', body.commandKey) + faultStruct(body.fault) + dt('StartTime', body.startTime) + dt('CompleteTime', body.completeTime);
    case 'AutonomousTransferComplete':
      return t('AnnounceURL', body.announceUrl) + t('TransferURL', body.transferUrl) + b('IsDownload', body.isDownload)
        + t('FileType', body.fileType) + n('FileSize', body.fileSize) + t('TargetFileName', body.targetFileName)
        + faultStruct(body.fault) + dt('StartTime', body.startTime) + dt('CompleteTime', body.completeTime);
    case 'RequestDownload':
      return t('FileType', body.fileType) + array('FileTypeArg', 'cwmp:ArgStruct',
        body.fileTypeArgs.map((a) => `<ArgStruct>${t('Name', a.name)}${t('Value', a.value)}</ArgStruct>`));
    case 'GetParameterNames':
      return t('ParameterPath', body.parameterPath) + b('NextLevel', body.nextLevel);
    case 'GetParameterValues':
    case 'GetParameterAttributes':
      return strings('ParameterNames', body.parameterNames);
    case 'SetParameterValues':
      return parameterValues(body.parameterList) + t('ParameterKey', body.parameterKey);
    case 'SetParameterAttributes':
      return array('ParameterList', 'cwmp:SetParameterAttributesStruct', body.parameterList.map((p) =>
        `<SetParameterAttributesStruct>${t('Name', p.name)}${b('NotificationChange', p.notificationChange)}`
        + `${n('Notification', p.notification)}${b('AccessListChange', p.accessListChange)}`
        + `${strings('AccessList', p.accessList)}</SetParameterAttributesStruct>`));
    case 'AddObject':
    case 'DeleteObject':
      return t('ObjectName', body.objectName) + t('ParameterKey', body.parameterKey);
    case 'Reboot':
    case 'CancelTransfer':
      return t('CommandKey', body.commandKey);
    case 'Download':
      return fileArgs(body) + n('FileSize', body.fileSize) + t('TargetFileName', body.targetFileName)
        + n('DelaySeconds', body.delaySeconds) + t('SuccessURL', body.successUrl) + t('FailureURL', body.failureUrl);
    case 'Upload':
      return fileArgs(body) + n('DelaySeconds', body.delaySeconds);
    case 'ScheduleInform':
      return n('DelaySeconds', body.delaySeconds) + t('CommandKey', body.commandKey);
    case 'ScheduleDownload':
      return fileArgs(body) + n('FileSize', body.fileSize) + t('TargetFileName', body.targetFileName)
        + array('TimeWindowList', 'cwmp:TimeWindowStruct', body.timeWindows.map(timeWindow));
    case 'InformResponse':
      return n('MaxEnvelopes', body.maxEnvelopes);
    case 'GetRPCMethodsResponse':
      return strings('MethodList', body.methods);
    case 'GetParameterNamesResponse':
      return array('ParameterList', 'cwmp:ParameterInfoStruct', body.parameters.map((p) =>
        `<ParameterInfoStruct>${t('Name', p.name)}${b('Writable', p.writable)}</ParameterInfoStruct>`));
    case 'GetParameterValuesResponse':
      return parameterValues(body.parameters);
    case 'GetParameterAttributesResponse':
      return array('ParameterList', 'cwmp:ParameterAttributeStruct', body.parameters.map((p) =>
        `<ParameterAttributeStruct>${t('Name', p.name)}${n('Notification', p.notification)}`
        + `${strings('AccessList', p.accessList)}</ParameterAttributeStruct>`));
    case 'SetParameterValuesResponse':
    case 'DeleteObjectResponse':
      return n('Status', body.status);
    case 'AddObjectResponse':
      return n('InstanceNumber', body.instanceNumber) + n('Status', body.status);
    case 'DownloadResponse':
    case 'UploadResponse':
      return n('Status', body.status) + dt('StartTime', body.startTime) + dt('CompleteTime', body.completeTime);
    case 'GetRPCMethods': case 'FactoryReset': case 'TransferCompleteResponse': case 'AutonomousTransferCompleteResponse':
    case 'RequestDownloadResponse': case 'SetParameterAttributesResponse': case 'RebootResponse':
    case 'FactoryResetResponse': case 'ScheduleInformResponse': case 'ScheduleDownloadResponse':
    case 'CancelTransferResponse': case 'Unknown':
      return '';
  }
}

/** SOAP 1.1 Fault with cwmp:Fault detail (§4.1). */
function fault(f: Fault): string {
  const spv = f.setParameterValuesFaults.map((p) => `<SetParameterValuesFault>${t('ParameterName', p.name)}`
    + `${n('FaultCode', p.code)}${t('FaultString', p.string)}</SetParameterValuesFault>`).join('');
  return `<soap-env:Fault>${t('faultcode', f.faultCode)}${t('faultstring', f.faultString || 'CWMP fault')}`
    + `<detail><cwmp:Fault>${n('FaultCode', f.code)}${t('FaultString', f.string)}${spv}</cwmp:Fault></detail></soap-env:Fault>`;
}

function header(h: CwmpHeader): string {
  let out = '';
  if (h.id !== undefined) out += `<cwmp:ID soap-env:mustUnderstand="1">${escapeXml(h.id)}</cwmp:ID>`;
  // §1.5: HoldRequests as the literal 1/0 (easycwmp/icwmp parse it with atoi).
  if (h.holdRequests !== undefined) out += `<cwmp:HoldRequests soap-env:mustUnderstand="1">${h.holdRequests ? 1 : 0}</cwmp:HoldRequests>`;
  if (h.sessionTimeout !== undefined) {
    out += `<cwmp:SessionTimeout soap-env:mustUnderstand="0">${Math.trunc(h.sessionTimeout)}</cwmp:SessionTimeout>`;
  }
  if (h.supportedVersions !== undefined) {
    out += `<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">${escapeXml(h.supportedVersions.join(','))}</cwmp:SupportedCWMPVersions>`;
  }
  if (h.useVersion !== undefined) out += `<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">${escapeXml(h.useVersion)}</cwmp:UseCWMPVersion>`;
  return out === '' ? '' : `<soap-env:Header>${out}</soap-env:Header>`;
}

/** Serialize a CWMP envelope. An 'Unknown' body is emitted as an empty element of that name. */
export function serializeEnvelope(env: CwmpEnvelope): string {
  const body = env.body;
  let inner: string;
  if (body.method === 'Fault') inner = fault(body);
  else {
    const name = body.method === 'Unknown' ? body.name : body.method;
    if (!/^[A-Za-z_\u00C0-\uFFFD][\w.\-\u00B7-\uFFFD]*$/.test(name)) throw new TypeError(`invalid CWMP method name ${JSON.stringify(name)}`);
    const a = args(body);
    inner = a === '' ? `<cwmp:${name}/>` : `<cwmp:${name}>${a}</cwmp:${name}>`;
  }
  return `${XML_DECL}<soap-env:Envelope ${NS_DECLS} xmlns:cwmp="${env.namespace}">${header(env.header)}`
    + `<soap-env:Body>${inner}</soap-env:Body></soap-env:Envelope>`;
}

/** faultcode per ACS fault code (§4.2; 8003 blames the request, the rest the ACS). */
const ACS_FAULTS: Record<number, string> = {
  8000: 'Method not supported', 8001: 'Request denied', 8002: 'Internal error', 8003: 'Invalid arguments',
  8004: 'Resources exceeded', 8005: 'Retry request', 8006: 'ACS version incompatible with CPE',
};

/**
 * An ACS fault (8000–8006, §4.2) answering the CPE request with this ID. `message` defaults to
 * the standard text. Serialize it with serializeEnvelope.
 */
export function faultEnvelope(namespace: CwmpNamespace, id: string | undefined, code: number, message?: string): CwmpEnvelope<Fault> {
  return {
    namespace,
    header: id === undefined ? {} : { id },
    body: {
      method: 'Fault', faultCode: code === 8003 ? 'Client' : 'Server', faultString: 'CWMP fault', code,
      string: message ?? ACS_FAULTS[code] ?? 'Fault', setParameterValuesFaults: [],
    },
  };
}
