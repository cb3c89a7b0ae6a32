// One realistic envelope per CWMP body type (types.ts), for round-trip and XSD tests. The mapped
// type makes the compiler fail when types.ts gains a body this file does not cover.

import type { CwmpBody, CwmpEnvelope, CwmpNamespace } from '../types.ts';

type ByMethod = { [M in CwmpBody['method']]: Extract<CwmpBody, { method: M }> };

const VP = 'Device.Services.VoiceService.1.VoiceProfile.1.';

export const SAMPLE_BODIES: ByMethod = {
  Inform: {
    method: 'Inform',
    deviceId: { manufacturer: 'Yealink & Co', oui: '001565', productClass: 'SIP-T46U', serialNumber: '00156546699d' },
    events: [{ code: '1 BOOT', commandKey: '' }, { code: 'M Reboot', commandKey: 'rb-7' }],
    maxEnvelopes: 1, currentTime: '2025-05-01T12:00:00+02:00', retryCount: 3,
    parameters: [
      { name: 'Device.DeviceInfo.SoftwareVersion', value: '108.86.0.45', type: 'xsd:string' },
      { name: 'Device.ManagementServer.PeriodicInformInterval', value: '3600', type: 'xsd:unsignedInt' },
      { name: `${VP}Line.1.SIP.X_001565_DisplayName`, value: ' Gate <N> & "yard" \'1\' ', type: 'xsd:string' },
    ],
  },
  TransferComplete: {
    method: 'TransferComplete', commandKey: 'fw-2025-05', fault: { code: 9010, string: 'Download failed: 404' },
    startTime: '2025-05-01T10:00:00Z', completeTime: '2025-05-01T10:01:30Z',
  },
  AutonomousTransferComplete: {
    method: 'AutonomousTransferComplete', announceUrl: 'http://10.6.0.29/announce', transferUrl: 'http://10.6.0.29/fw.rom',
    isDownload: true, fileType: '1 Firmware Upgrade Image', fileSize: 18874368, targetFileName: 'fw.rom',
    fault: { code: 0, string: '' }, startTime: '2025-05-01T10:00:00Z', completeTime: '0001-01-01T00:00:00Z',
  },
  RequestDownload: {
    method: 'RequestDownload', fileType: '3 Vendor Configuration File',
    fileTypeArgs: [{ name: 'Version', value: '2' }, { name: 'Model', value: 'T46U' }],
  },
  GetRPCMethods: { method: 'GetRPCMethods' },
  Unknown: { method: 'Unknown', name: 'Kicked' },
  GetParameterNames: { method: 'GetParameterNames', parameterPath: 'Device.Services.VoiceService.1.', nextLevel: true },
  GetParameterValues: {
    method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.', `${VP}SIP.RegistrarServer`],
  },
  SetParameterValues: {
    method: 'SetParameterValues', parameterKey: 'tmpl-17',
    parameterList: [
      { name: 'Device.ManagementServer.PeriodicInformInterval', value: '3600', type: 'xsd:unsignedInt' },
      { name: `${VP}Line.1.Enable`, value: 'Enabled', type: 'xsd:string' },
      { name: `${VP}SIP.X_001565_AutoAnswerEnable`, value: 'true', type: 'xsd:boolean' },
      { name: `${VP}Line.1.SIP.AuthPassword`, value: 'p&ss<w>rd"\'', type: 'xsd:string' },
      { name: 'Device.Time.X_TEST_Epoch', value: '2025-05-01T10:00:00Z', type: 'xsd:dateTime' },
      { name: 'Device.Services.VoiceService.1.X_TEST_Counter', value: '18446744073709551615', type: 'xsd:unsignedLong' },
    ],
  },
  GetParameterAttributes: { method: 'GetParameterAttributes', parameterNames: ['Device.ManagementServer.ConnectionRequestURL'] },
  SetParameterAttributes: {
    method: 'SetParameterAttributes',
    parameterList: [
      { name: 'Device.DeviceInfo.SoftwareVersion', notificationChange: true, notification: 2, accessListChange: false, accessList: [] },
      { name: `${VP}Line.1.Status`, notificationChange: false, notification: 0, accessListChange: true, accessList: ['Subscriber'] },
    ],
  },
  AddObject: { method: 'AddObject', objectName: `${VP}Line.`, parameterKey: 'tmpl-18' },
  DeleteObject: { method: 'DeleteObject', objectName: `${VP}Line.2.`, parameterKey: 'tmpl-19' },
  Reboot: { method: 'Reboot', commandKey: 'rb-7' },
  FactoryReset: { method: 'FactoryReset' },
  Download: {
    method: 'Download', commandKey: 'fw-2025-05', fileType: '1 Firmware Upgrade Image',
    url: 'http://10.20.0.1/fw/phone-1.2.3.rom?a=1&b=2', username: 'fw', password: 's3cr&t', fileSize: 0,
    targetFileName: '', delaySeconds: 0, successUrl: '', failureUrl: '',
  },
  Upload: {
    method: 'Upload', commandKey: 'log-1', fileType: '2 Vendor Log File', url: 'http://10.20.0.1/upload/abc',
    username: '', password: '', delaySeconds: 5,
  },
  ScheduleInform: { method: 'ScheduleInform', delaySeconds: 300, commandKey: 'si-1' },
  ScheduleDownload: {
    method: 'ScheduleDownload', commandKey: 'sd-1', fileType: '1 Firmware Upgrade Image', url: 'http://10.20.0.1/fw.rom',
    username: '', password: '', fileSize: 1024, targetFileName: 'fw.rom',
    timeWindows: [
      { windowStart: 0, windowEnd: 3600, windowMode: '3 When Idle', userMessage: '', maxRetries: -1 },
      { windowStart: 7200, windowEnd: 10800, windowMode: '1 At Any Time', userMessage: 'Update tonight', maxRetries: 3 },
    ],
  },
  CancelTransfer: { method: 'CancelTransfer', commandKey: 'sd-1' },
  InformResponse: { method: 'InformResponse', maxEnvelopes: 1 },
  TransferCompleteResponse: { method: 'TransferCompleteResponse' },
  AutonomousTransferCompleteResponse: { method: 'AutonomousTransferCompleteResponse' },
  RequestDownloadResponse: { method: 'RequestDownloadResponse' },
  GetRPCMethodsResponse: { method: 'GetRPCMethodsResponse', methods: ['GetRPCMethods', 'GetParameterValues', 'Download'] },
  GetParameterNamesResponse: {
    method: 'GetParameterNamesResponse',
    parameters: [{ name: `${VP}Line.`, writable: true }, { name: `${VP}Line.1.`, writable: false }, { name: `${VP}Name`, writable: true }],
  },
  GetParameterValuesResponse: {
    method: 'GetParameterValuesResponse',
    parameters: [
      { name: `${VP}SIP.RegistrarServerPort`, value: '5060', type: 'xsd:unsignedInt' },
      { name: `${VP}Line.1.SIP.AuthPassword`, value: '', type: 'xsd:string' },
      { name: `${VP}Line.1.VoiceProcessing.TransmitGain`, value: '-3', type: 'xsd:int' },
      { name: 'Device.X_TEST.Blob', value: 'AAEC', type: 'xsd:base64' },
      { name: 'Device.X_TEST.Hex', value: '00ff', type: 'xsd:hexBinary' },
      { name: 'Device.X_TEST.Enabled', value: '1', type: 'xsd:boolean' },
    ],
  },
  SetParameterValuesResponse: { method: 'SetParameterValuesResponse', status: 1 },
  GetParameterAttributesResponse: {
    method: 'GetParameterAttributesResponse',
    parameters: [{ name: 'Device.ManagementServer.ConnectionRequestURL', notification: 2, accessList: ['Subscriber'] }],
  },
  SetParameterAttributesResponse: { method: 'SetParameterAttributesResponse' },
  AddObjectResponse: { method: 'AddObjectResponse', instanceNumber: 3, status: 0 },
  DeleteObjectResponse: { method: 'DeleteObjectResponse', status: 1 },
  RebootResponse: { method: 'RebootResponse' },
  FactoryResetResponse: { method: 'FactoryResetResponse' },
  DownloadResponse: { method: 'DownloadResponse', status: 1, startTime: '0001-01-01T00:00:00Z', completeTime: '0001-01-01T00:00:00Z' },
  UploadResponse: { method: 'UploadResponse', status: 0, startTime: '2025-05-01T10:00:00Z', completeTime: '2025-05-01T10:00:02Z' },
  ScheduleInformResponse: { method: 'ScheduleInformResponse' },
  ScheduleDownloadResponse: { method: 'ScheduleDownloadResponse' },
  CancelTransferResponse: { method: 'CancelTransferResponse' },
  Fault: {
    method: 'Fault', faultCode: 'Client', faultString: 'CWMP fault', code: 9003, string: 'Invalid arguments',
    setParameterValuesFaults: [
      { name: 'Device.Time.NTPServer1', code: 9007, string: 'Invalid parameter value' },
      { name: `${VP}SIP.RegistrarServerPort`, code: 9006, string: '' },
    ],
  },
};

const NAMESPACES: CwmpNamespace[] = ['urn:dslforum-org:cwmp-1-0', 'urn:dslforum-org:cwmp-1-1', 'urn:dslforum-org:cwmp-1-2',
  'urn:dslforum-org:cwmp-1-3', 'urn:dslforum-org:cwmp-1-4'];

/** Every body in an envelope, cycling namespaces and header shapes. */
export function sampleEnvelopes(): CwmpEnvelope[] {
  return Object.values(SAMPLE_BODIES).map((body, i) => {
    const header: CwmpEnvelope['header'] = i % 4 === 3 ? {} : { id: `id-${i} & <${i}>` };
    if (body.method === 'Inform') Object.assign(header, { sessionTimeout: 60, supportedVersions: ['1.0', '1.2', '1.4'] });
    if (body.method === 'InformResponse') Object.assign(header, { useVersion: '1.4', holdRequests: false });
    if (body.method === 'GetParameterValues') header.holdRequests = true;
    return { namespace: NAMESPACES[i % NAMESPACES.length]!, header, body };
  });
}
