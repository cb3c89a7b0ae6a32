// Typed CWMP messages (TR-069 §2–4, cwmp-1-0…1-4.xsd). The parser turns a SOAP envelope into a
// CwmpEnvelope; the serializer turns one back into XML. Pure types: no I/O here.

/** CWMP namespace versions seen on the wire (§1.9): cwmp-1-3/1-4 are non-standard but real. */
export type CwmpNamespace = 'urn:dslforum-org:cwmp-1-0' | 'urn:dslforum-org:cwmp-1-1' | 'urn:dslforum-org:cwmp-1-2'
  | 'urn:dslforum-org:cwmp-1-3' | 'urn:dslforum-org:cwmp-1-4';

export interface CwmpHeader {
  /** cwmp:ID as received (trimmed); undefined when absent. */
  id?: string;
  holdRequests?: boolean;
  /** CWMP 1.3+ SessionTimeout (seconds), Inform only. */
  sessionTimeout?: number;
  /** CWMP 1.4 SupportedCWMPVersions, split and trimmed, e.g. ['1.0','1.4']. */
  supportedVersions?: string[];
  /** CWMP 1.4 UseCWMPVersion (InformResponse only). */
  useVersion?: string;
}

/** xsi:type normalised to `xsd:<type>` lower-camel as in the XSD (`xsd:unsignedInt`). Unknown → kept. */
export type XsdType = string;

export interface ParameterValue {
  name: string;
  value: string;
  /** e.g. 'xsd:string', 'xsd:boolean', 'xsd:unsignedInt'; defaults to 'xsd:string' when absent (§11.1). */
  type: XsdType;
}

export interface ParameterInfo {
  name: string;
  writable: boolean;
}

export interface ParameterAttribute {
  name: string;
  notification: number;
  accessList: string[];
}

export interface SetParameterAttribute {
  name: string;
  notificationChange: boolean;
  notification: number;
  accessListChange: boolean;
  accessList: string[];
}

export interface EventStruct {
  code: string;
  commandKey: string;
}

export interface DeviceId {
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
}

export interface FaultStruct {
  code: number;
  string: string;
}

export interface SetParameterValuesFault {
  name: string;
  code: number;
  string: string;
}

export interface TimeWindow {
  windowStart: number;
  windowEnd: number;
  windowMode: string;
  userMessage: string;
  maxRetries: number;
}

// ---- CPE → ACS requests ----------------------------------------------------------------------
export interface Inform {
  method: 'Inform';
  deviceId: DeviceId;
  events: EventStruct[];
  maxEnvelopes: number;
  currentTime: string;
  retryCount: number;
  parameters: ParameterValue[];
}
export interface TransferComplete {
  method: 'TransferComplete';
  commandKey: string;
  fault: FaultStruct;
  startTime: string;
  completeTime: string;
}
export interface AutonomousTransferComplete {
  method: 'AutonomousTransferComplete';
  announceUrl: string;
  transferUrl: string;
  isDownload: boolean;
  fileType: string;
  fileSize: number;
  targetFileName: string;
  fault: FaultStruct;
  startTime: string;
  completeTime: string;
}
export interface RequestDownload {
  method: 'RequestDownload';
  fileType: string;
  fileTypeArgs: { name: string; value: string }[];
}
/** GetRPCMethods in either direction (request has no arguments). */
export interface GetRPCMethods { method: 'GetRPCMethods' }
/** Any CPE request the ACS does not implement (answered with fault 8000). */
export interface UnknownRequest { method: 'Unknown'; name: string }

// ---- ACS → CPE requests -----------------------------------------------------------------------
export interface GetParameterNames { method: 'GetParameterNames'; parameterPath: string; nextLevel: boolean }
export interface GetParameterValues { method: 'GetParameterValues'; parameterNames: string[] }
export interface SetParameterValues { method: 'SetParameterValues'; parameterList: ParameterValue[]; parameterKey: string }
export interface GetParameterAttributes { method: 'GetParameterAttributes'; parameterNames: string[] }
export interface SetParameterAttributes { method: 'SetParameterAttributes'; parameterList: SetParameterAttribute[] }
export interface AddObject { method: 'AddObject'; objectName: string; parameterKey: string }
export interface DeleteObject { method: 'DeleteObject'; objectName: string; parameterKey: string }
export interface Reboot { method: 'Reboot'; commandKey: string }
export interface FactoryReset { method: 'FactoryReset' }
export interface Download {
  method: 'Download'; commandKey: string; fileType: string; url: string; username: string; password: string;
  fileSize: number; targetFileName: string; delaySeconds: number; successUrl: string; failureUrl: string;
}
export interface Upload {
  method: 'Upload'; commandKey: string; fileType: string; url: string; username: string; password: string; delaySeconds: number;
}
export interface ScheduleInform { method: 'ScheduleInform'; delaySeconds: number; commandKey: string }
export interface ScheduleDownload {
  method: 'ScheduleDownload'; commandKey: string; fileType: string; url: string; username: string; password: string;
  fileSize: number; targetFileName: string; timeWindows: TimeWindow[];
}
export interface CancelTransfer { method: 'CancelTransfer'; commandKey: string }

// ---- Responses ---------------------------------------------------------------------------------
export interface InformResponse { method: 'InformResponse'; maxEnvelopes: number }
export interface TransferCompleteResponse { method: 'TransferCompleteResponse' }
export interface AutonomousTransferCompleteResponse { method: 'AutonomousTransferCompleteResponse' }
export interface RequestDownloadResponse { method: 'RequestDownloadResponse' }
export interface GetRPCMethodsResponse { method: 'GetRPCMethodsResponse'; methods: string[] }
export interface GetParameterNamesResponse { method: 'GetParameterNamesResponse'; parameters: ParameterInfo[] }
export interface GetParameterValuesResponse { method: 'GetParameterValuesResponse'; parameters: ParameterValue[] }
export interface SetParameterValuesResponse { method: 'SetParameterValuesResponse'; status: number }
export interface GetParameterAttributesResponse { method: 'GetParameterAttributesResponse'; parameters: ParameterAttribute[] }
export interface SetParameterAttributesResponse { method: 'SetParameterAttributesResponse' }
export interface AddObjectResponse { method: 'AddObjectResponse'; instanceNumber: number; status: number }
export interface DeleteObjectResponse { method: 'DeleteObjectResponse'; status: number }
export interface RebootResponse { method: 'RebootResponse' }
export interface FactoryResetResponse { method: 'FactoryResetResponse' }
export interface DownloadResponse { method: 'DownloadResponse'; status: number; startTime: string; completeTime: string }
export interface UploadResponse { method: 'UploadResponse'; status: number; startTime: string; completeTime: string }
export interface ScheduleInformResponse { method: 'ScheduleInformResponse' }
export interface ScheduleDownloadResponse { method: 'ScheduleDownloadResponse' }
export interface CancelTransferResponse { method: 'CancelTransferResponse' }

/** A SOAP Fault carrying a cwmp:Fault (§4.1), either direction. */
export interface Fault {
  method: 'Fault';
  faultCode: 'Client' | 'Server';
  faultString: string;
  /** CWMP fault code (8000–8899 ACS, 9000–9899 CPE). 9002/8002 when the detail was missing (§11.1). */
  code: number;
  string: string;
  setParameterValuesFaults: SetParameterValuesFault[];
}

export type CpeRequest = Inform | TransferComplete | AutonomousTransferComplete | RequestDownload | GetRPCMethods | UnknownRequest;
export type AcsRequest = GetRPCMethods | GetParameterNames | GetParameterValues | SetParameterValues
  | GetParameterAttributes | SetParameterAttributes | AddObject | DeleteObject | Reboot | FactoryReset
  | Download | Upload | ScheduleInform | ScheduleDownload | CancelTransfer;
export type CpeResponse = GetRPCMethodsResponse | GetParameterNamesResponse | GetParameterValuesResponse
  | SetParameterValuesResponse | GetParameterAttributesResponse | SetParameterAttributesResponse
  | AddObjectResponse | DeleteObjectResponse | RebootResponse | FactoryResetResponse | DownloadResponse
  | UploadResponse | ScheduleInformResponse | ScheduleDownloadResponse | CancelTransferResponse;
export type AcsResponse = InformResponse | TransferCompleteResponse | AutonomousTransferCompleteResponse
  | RequestDownloadResponse | GetRPCMethodsResponse;

export type CwmpBody = CpeRequest | AcsRequest | CpeResponse | AcsResponse | Fault;

export interface CwmpEnvelope<B extends CwmpBody = CwmpBody> {
  /** Namespace URI the message used; replies use the same one (§1.9 step 4). */
  namespace: CwmpNamespace;
  header: CwmpHeader;
  body: B;
}

export type AcsRpcMethod = AcsRequest['method'];
export const ACS_RPC_METHODS: readonly AcsRpcMethod[] = [
  'GetRPCMethods', 'GetParameterNames', 'GetParameterValues', 'SetParameterValues', 'GetParameterAttributes',
  'SetParameterAttributes', 'AddObject', 'DeleteObject', 'Reboot', 'FactoryReset', 'Download', 'Upload',
  'ScheduleInform', 'ScheduleDownload', 'CancelTransfer',
];
/** What the ACS answers to a CPE's GetRPCMethods. */
export const ACS_SUPPORTED_CPE_METHODS: readonly string[] = [
  'Inform', 'GetRPCMethods', 'TransferComplete', 'AutonomousTransferComplete', 'RequestDownload',
];
