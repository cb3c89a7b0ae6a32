// CWMP version negotiation (tr069-protocol.md §1.9 steps 1–3) and the device identity string
// (§2.1, §6.1).

import type { CwmpHeader, CwmpNamespace, DeviceId } from './types.ts';

/** Versions this codec speaks, lowest first. */
export const SUPPORTED_CWMP_VERSIONS: readonly string[] = ['1.0', '1.1', '1.2', '1.3', '1.4'];

export type VersionResult = { version: string; useVersionHeader?: string } | { fault: 8006 };

function versionKey(v: string): number {
  const m = /^(\d+)\.(\d+)$/.exec(v);
  return m === null ? -1 : Number(m[1]) * 1000 + Number(m[2]);
}

/**
 * Pick the CWMP version of a session from the Inform's namespace and header (§1.9):
 *  2. SupportedCWMPVersions present → highest common version, echoed in UseCWMPVersion
 *     (mustUnderstand=1); none in common → fault 8006.
 *  3. else by namespace: cwmp-1-0 → 1.0, cwmp-1-1 → 1.1, cwmp-1-2 → 1.3 with SessionTimeout else
 *     1.2, non-standard cwmp-1-3/cwmp-1-4 → 1.3/1.4.
 * Replies keep the Inform's namespace URI whatever the version (step 4, the caller's job).
 */
export function negotiateVersion(namespace: CwmpNamespace, header: CwmpHeader): VersionResult {
  const offered = header.supportedVersions ?? [];
  if (offered.length > 0) {
    let best: string | undefined;
    for (const raw of offered) {
      const v = raw.trim(); // icwmp emits "1.0, 1.1" (§1.5)
      if (!SUPPORTED_CWMP_VERSIONS.includes(v)) continue; // unknown tokens are ignored
      if (best === undefined || versionKey(v) > versionKey(best)) best = v;
    }
    return best === undefined ? { fault: 8006 } : { version: best, useVersionHeader: best };
  }
  switch (namespace) {
    case 'urn:dslforum-org:cwmp-1-0': return { version: '1.0' };
    case 'urn:dslforum-org:cwmp-1-1': return { version: '1.1' };
    case 'urn:dslforum-org:cwmp-1-2': return { version: header.sessionTimeout !== undefined ? '1.3' : '1.2' };
    case 'urn:dslforum-org:cwmp-1-3': return { version: '1.3' };
    case 'urn:dslforum-org:cwmp-1-4': return { version: '1.4' };
  }
}

/** RFC 3986 percent-encoding of every UTF-8 byte outside [A-Za-z0-9_] (§6.1: `-` → %2D). */
function encodeField(s: string): string {
  if (/^[A-Za-z0-9_]*$/.test(s)) return s;
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const safe = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f;
    out += safe ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * `<OUI>-<ProductClass>-<SerialNumber>`, or `<OUI>-<SerialNumber>` when ProductClass is empty,
 * each field percent-encoded (§2.1 GenieACS device id; §6.1 the CPE username TR-069 recommends).
 * Example: OUI 00A1B2, ProductClass SIP-PHONE, serial "A1 B2" → 00A1B2-SIP%2DPHONE-A1%20B2.
 */
export function deviceIdString(d: Pick<DeviceId, 'oui' | 'productClass' | 'serialNumber'>): string {
  const parts = d.productClass === '' ? [d.oui, d.serialNumber] : [d.oui, d.productClass, d.serialNumber];
  return parts.map(encodeField).join('-');
}
