// Value rules of the CWMP data-model types (tr069-protocol.md §5.1): what a SetParameterValues
// value must look like for each type and facet, and how values are written back on the wire.
// Values are stored as canonical strings: booleans as `true`/`false`, numbers in plain decimal.

import type { ParamDef } from './types.ts';

export const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

const INT_RE = /^-?\d+$/;
const UINT_RE = /^\d+$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const BASE64_RE = /^[A-Za-z0-9+/\s]*={0,2}$/;
const HEX_RE = /^([0-9A-Fa-f]{2})*$/;

export interface ValueOptions {
  /** Quirk booleanAsInt: booleans are written as 1/0 and only 1/0 are accepted. */
  booleanAsInt?: boolean;
}

/** xsi:type the phone puts on values of this parameter. */
export function xsdOf(def: ParamDef): string {
  return `xsd:${def.type}`;
}

/** Value of a parameter that has neither an override, a factory value nor a CSV default. */
export function zeroOf(def: ParamDef): string {
  switch (def.type) {
    case 'boolean': return 'false';
    case 'int': case 'unsignedInt': case 'long': case 'unsignedLong': return '0';
    case 'dateTime': return UNKNOWN_TIME;
    default: return '';
  }
}

/** Does the xsi:type the ACS sent match the parameter's type? (mismatch → 9006) */
export function typeMatches(def: ParamDef, xsiType: string): boolean {
  const sent = xsiType.replace(/^[^:]*:/, '').toLowerCase();
  const want = def.type.toLowerCase();
  return sent === want || (want === 'base64' && sent === 'base64binary');
}

function inRanges(def: ParamDef, n: number): boolean {
  if (!def.ranges || def.ranges.length === 0) return true;
  return def.ranges.some(([lo, hi]) => (lo === null || n >= lo) && (hi === null || n <= hi));
}

function checkNumber(def: ParamDef, v: string): string | null {
  const t = v.trim();
  switch (def.type) {
    case 'int': {
      if (!INT_RE.test(t)) return null;
      const n = Number(t);
      return n >= -2147483648 && n <= 2147483647 && inRanges(def, n) ? String(n) : null;
    }
    case 'unsignedInt': {
      if (!UINT_RE.test(t)) return null;
      const n = Number(t);
      return n <= 4294967295 && inRanges(def, n) ? String(n) : null;
    }
    case 'long': {
      if (!INT_RE.test(t)) return null;
      const n = BigInt(t);
      return n >= -(2n ** 63n) && n < 2n ** 63n && inRanges(def, Number(n)) ? n.toString() : null;
    }
    default: { // unsignedLong
      if (!UINT_RE.test(t)) return null;
      const n = BigInt(t);
      return n < 2n ** 64n && inRanges(def, Number(n)) ? n.toString() : null;
    }
  }
}

function checkString(def: ParamDef, v: string): string | null {
  if (def.maxLength !== undefined && [...v].length > def.maxLength) return null;
  if (def.listMaxLength !== undefined && [...v].length > def.listMaxLength) return null;
  if (def.enumValues && def.enumValues.length > 0) {
    // A list-valued parameter with an enum (e.g. DTMFMethod lists) checks each item.
    const items = def.listMaxLength !== undefined ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : [v];
    if (!items.every((i) => def.enumValues!.includes(i))) return null;
  }
  return v;
}

/**
 * The canonical stored form of `value` for `def`, or null when the value is invalid for the type
 * or its facets (→ fault 9007).
 */
export function canonicalValue(def: ParamDef, value: string, opts: ValueOptions = {}): string | null {
  switch (def.type) {
    case 'boolean': {
      const t = value.trim().toLowerCase();
      if (t === '1' || (!opts.booleanAsInt && t === 'true')) return 'true';
      if (t === '0' || (!opts.booleanAsInt && t === 'false')) return 'false';
      return null;
    }
    case 'int': case 'unsignedInt': case 'long': case 'unsignedLong':
      return checkNumber(def, value);
    case 'dateTime':
      return DATETIME_RE.test(value.trim()) ? value.trim() : null;
    case 'base64': {
      const t = value.trim();
      if (!BASE64_RE.test(t)) return null;
      if (def.maxLength !== undefined && Buffer.from(t, 'base64').length > def.maxLength) return null;
      return t;
    }
    case 'hexBinary': {
      const t = value.trim();
      if (!HEX_RE.test(t)) return null;
      if (def.maxLength !== undefined && t.length / 2 > def.maxLength) return null;
      return t;
    }
    default:
      return checkString(def, value);
  }
}

/** The value as the phone reports it over CWMP. */
export function wireValue(def: ParamDef, canonical: string, opts: ValueOptions = {}): string {
  if (def.type === 'boolean' && opts.booleanAsInt) return canonical === 'true' ? '1' : '0';
  return canonical;
}
