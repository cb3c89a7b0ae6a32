// Lexical helpers shared by the CWMP parser and serializer (tr069-protocol.md §5.1, §11.1, §11.3).

import type { XsdType } from './types.ts';

/** XSD type names with the case used by the CWMP data-model schema. */
const KNOWN_TYPES = ['string', 'int', 'unsignedInt', 'long', 'unsignedLong', 'boolean', 'dateTime', 'base64',
  'base64Binary', 'hexBinary', 'decimal'];
const TYPE_BY_LOWER = new Map(KNOWN_TYPES.map((t) => [t.toLowerCase(), `xsd:${t}`]));

/**
 * Normalise an xsi:type value (§11.1: Sphairon sends none, AudioCodes `xsd:String`, others
 * `string` or `xsd:`). Missing/empty → 'xsd:string'; known XSD names → `xsd:<name>` in schema
 * case whatever the prefix; unknown names are kept as sent (trimmed).
 */
export function normaliseType(raw: string | undefined): XsdType {
  if (raw === undefined) return 'xsd:string';
  const t = raw.trim();
  const local = t.slice(t.lastIndexOf(':') + 1);
  if (local === '') return 'xsd:string';
  return TYPE_BY_LOWER.get(local.toLowerCase()) ?? t;
}

/** XSD boolean, read leniently: 0/1/true/false, trimmed, any case (§5.1). Anything else → false. */
export function parseBool(raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const t = raw.trim().toLowerCase();
  return t === '1' || t === 'true';
}

/** Integer fields (unsignedInt/int): trimmed decimal; missing or garbage → dflt. */
export function parseNum(raw: string | undefined, dflt = 0): number {
  if (raw === undefined) return dflt;
  const t = raw.trim();
  if (!/^[+-]?\d+$/.test(t)) return dflt;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : dflt;
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * String fields and xsd:string values: whitespace is significant (§5.1 "preserve leading/trailing
 * whitespace exactly"), so only the wrapping of a pretty-printer is removed (GenieACS #301): a
 * leading or trailing whitespace run that contains a newline. Idempotent, and linear (a regex
 * here would backtrack quadratically on hostile input).
 */
export function unwrapString(raw: string): string {
  if (raw.indexOf('\n') === -1) return raw;
  let start = 0;
  let nl = false;
  while (start < raw.length && isWs(raw.charCodeAt(start))) nl = raw.charCodeAt(start++) === 0x0a || nl;
  if (!nl) start = 0;
  let end = raw.length;
  nl = false;
  while (end > start && isWs(raw.charCodeAt(end - 1))) nl = raw.charCodeAt(--end) === 0x0a || nl;
  if (!nl) end = raw.length;
  return start === 0 && end === raw.length ? raw : raw.slice(start, end);
}

/** A parameter value: non-string types are trimmed, strings only unwrapped (§11.1). */
export function cleanValue(raw: string, type: XsdType): string {
  return type === 'xsd:string' ? unwrapString(raw) : raw.trim();
}

/** Drop fractional seconds from an ISO 8601 dateTime (§11.3: CPEs reject milliseconds). */
export function stripFraction(dt: string): string {
  return dt.replace(/^(\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+/, '$1');
}

/** dateTime as CWMP wants it from us: UTC, `Z`, no fractional seconds (§5.1). */
export function formatDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** TR-106 §3.2 Unknown Time. */
export const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' };
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[&<>"'\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE_G = /[&<>"'\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g;

/**
 * XML-escape for text and attribute values: & < > " ' (§5.1, §11.1 "escape everything you send").
 * CR is sent as a reference so it survives end-of-line normalisation; characters XML 1.0 cannot
 * carry at all (C0 controls) are dropped rather than producing a document the CPE must reject.
 */
export function escapeXml(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(NEEDS_ESCAPE_G, (c) => ESCAPES[c] ?? '');
}
