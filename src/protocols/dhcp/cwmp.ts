// TR-069 bootstrap content carried in DHCPv4: option 43 CWMP sub-options (TR-069 §3.1,
// tr069-protocol.md §9.1), option 125 / enterprise 3561 Annex F identities (§9.2), and the
// option 82 sub-options a relay adds (RFC 3046 §2.0).

import { AnnexFSub, BBF_ENTERPRISE, CwmpSub, RelaySub } from './constants.ts';
import { encodeSubOptions, encodeViVendor, parseSubOptions, type SubOption } from './options.ts';
import type { DhcpOptions } from './options.ts';

export interface CwmpBootstrap {
  acsUrl: string;
  provisioningCode?: string;
  retryMinimumWaitInterval?: number;
  retryIntervalMultiplier?: number;
}

/** Option 43 body: sub-options 1–4 as text (tr069-protocol.md §9.1, §9.3; never NUL-padded). */
export function encodeCwmp43(b: CwmpBootstrap): Buffer {
  const subs: SubOption[] = [{ code: CwmpSub.ACS_URL, data: Buffer.from(b.acsUrl, 'utf8') }];
  if (b.provisioningCode) subs.push({ code: CwmpSub.PROVISIONING_CODE, data: Buffer.from(b.provisioningCode, 'utf8') });
  if (b.retryMinimumWaitInterval !== undefined) subs.push({ code: CwmpSub.RETRY_MIN_WAIT, data: Buffer.from(String(b.retryMinimumWaitInterval)) });
  if (b.retryIntervalMultiplier !== undefined) subs.push({ code: CwmpSub.RETRY_MULTIPLIER, data: Buffer.from(String(b.retryIntervalMultiplier)) });
  return encodeSubOptions(subs);
}

export function decodeCwmp43(buf: Buffer): CwmpBootstrap | undefined {
  const subs = parseSubOptions(buf);
  const url = subs?.find((s) => s.code === CwmpSub.ACS_URL);
  if (!subs || !url) return undefined;
  const text = (c: number) => subs.find((s) => s.code === c)?.data.toString('utf8');
  const num = (c: number) => { const t = text(c); return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined; };
  const out: CwmpBootstrap = { acsUrl: url.data.toString('utf8') };
  const pc = text(CwmpSub.PROVISIONING_CODE);
  if (pc !== undefined) out.provisioningCode = pc;
  const w = num(CwmpSub.RETRY_MIN_WAIT);
  if (w !== undefined) out.retryMinimumWaitInterval = w;
  const m = num(CwmpSub.RETRY_MULTIPLIER);
  if (m !== undefined) out.retryIntervalMultiplier = m;
  return out;
}

export interface AnnexFIdentity {
  oui: string;
  serial: string;
  productClass: string;
}

/** Device identity a phone sends in option 125 / 3561 sub-options 1–3 (Annex F). */
export function deviceIdentity(options: DhcpOptions): Partial<AnnexFIdentity> | undefined {
  const subs = options.viVendor()?.get(BBF_ENTERPRISE);
  if (!subs) return undefined;
  const pick = (c: number) => subs.find((s) => s.code === c)?.data.toString('utf8');
  const out: Partial<AnnexFIdentity> = {};
  const oui = pick(AnnexFSub.DEVICE_OUI), serial = pick(AnnexFSub.DEVICE_SERIAL), pc = pick(AnnexFSub.DEVICE_PRODUCT_CLASS);
  if (oui !== undefined) out.oui = oui;
  if (serial !== undefined) out.serial = serial;
  if (pc !== undefined) out.productClass = pc;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Option 125 body carrying an Annex F identity; gateway=true uses codes 4–6, else 1–3. */
export function encodeAnnexF(id: AnnexFIdentity, gateway: boolean): Buffer {
  const base = gateway ? AnnexFSub.GATEWAY_OUI : AnnexFSub.DEVICE_OUI;
  return encodeViVendor(BBF_ENTERPRISE, [
    { code: base, data: Buffer.from(id.oui, 'utf8') },
    { code: base + 1, data: Buffer.from(id.serial, 'utf8') },
    { code: base + 2, data: Buffer.from(id.productClass, 'utf8') },
  ]);
}

/** Printable ASCII as text, anything else as hex (how circuit/remote ids are recorded). */
export function textOrHex(b: Buffer): string {
  return b.length > 0 && b.every((c) => c >= 0x20 && c < 0x7f) ? b.toString('latin1') : b.toString('hex');
}

export interface RelayInfo {
  circuitId: string | null;
  remoteId: string | null;
}

export function relayInfo(options: DhcpOptions): RelayInfo | undefined {
  const subs = options.relayAgent();
  if (!subs) return undefined;
  const c = subs.find((s) => s.code === RelaySub.CIRCUIT_ID);
  const r = subs.find((s) => s.code === RelaySub.REMOTE_ID);
  return { circuitId: c ? textOrHex(c.data) : null, remoteId: r ? textOrHex(r.data) : null };
}
