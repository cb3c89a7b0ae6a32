// Public surface of the CWMP codec (tr069-protocol.md §1–6, §11). Pure: text/Buffer in, typed
// objects out; no sockets, no files. See README.md in this folder.
export * from './types.ts';
export { parseEnvelope, isEmptyBody, detectCharset, DEFAULT_MAX_BODY_BYTES, CWMP_NAMESPACES, SOAP_ENV_NS } from './parse.ts';
export type { ParseOptions } from './parse.ts';
export { serializeEnvelope, faultEnvelope } from './serialize.ts';
export { negotiateVersion, deviceIdString, SUPPORTED_CWMP_VERSIONS } from './version.ts';
export type { VersionResult } from './version.ts';
export { normaliseType, parseBool, formatDateTime, stripFraction, escapeXml, UNKNOWN_TIME } from './values.ts';
export { parseXml, DEFAULT_MAX_DEPTH } from './xml.ts';
export type { XmlElement, XmlAttr, XmlParseOptions } from './xml.ts';
