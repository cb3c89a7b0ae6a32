// Public surface of the DNS codec. Pure: Buffer in, typed values out; no sockets, no files.
// Decoding of whole messages for tests and tools may use dns-packet; the hot paths use the
// hand-written readers here, and every answer is written by the compressing MessageWriter.
export { TYPE, CLASS, RCODE, FLAG, OPCODE_QUERY, CLASSIC_UDP_SIZE, HEADER_SIZE, typeName, rcodeName } from './constants.ts';
export { scanName, skipName, nameText, normalizeName, inZone, encodeName, reverseName, expandIPv6, ipv6Bytes } from './names.ts';
export { parseQuery, parseOpt, fastQuestionEnd, fastEdnsSize, u16 } from './query.ts';
export type { Query, QueryError, Edns } from './query.ts';
export { MessageWriter, TYPE_CODE } from './writer.ts';
export type { RData, ResourceRecord, HeaderFields } from './writer.ts';
export { encodeResponse, errorResponse } from './response.ts';
export type { ResponseSpec, QuestionWire } from './response.ts';
export { inspectResponse } from './inspect.ts';
export type { ResponseLayout } from './inspect.ts';
