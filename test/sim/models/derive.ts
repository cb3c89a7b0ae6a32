// Computed parameter values: uptime, clock, the connection-request URLs, the running firmware,
// the DHCP lease, table counters and SIP registration state. Families name them (types.ts
// DeriveName) so a family stays pure data. A line's Status comes from the site PBX (pbx.ts,
// models/lines.ts): Up only when the phone's SIP settings and credentials match it.

import type { SitePbx } from '../pbx.ts';
import { callControlLineStatus, sipClientStatus, tr104i1Status } from './lines.ts';
import type { DeriveName } from './types.ts';

/** What a phone knows about its network (DHCP lease) and its Annex G binding. */
export interface NetFacts {
  ip: string;
  mask: string;
  gateway: string;
  dns: string;
  mac: string;
  /** UDPConnectionRequestAddress (host:port) once STUN learned it, else ''. */
  udpCr: string;
  natDetected: boolean;
}

export interface DeriveContext {
  /** Canonical value of a concrete parameter path ('' when it does not exist). */
  read(path: string): string;
  /** Instance numbers of a concrete table path (`…SIP.Client.`). */
  instances(tablePath: string): readonly number[];
  now(): number;
  bootAt: number;
  crUrl: string;
  softwareVersion: string;
  net: NetFacts;
  pbx?: SitePbx | undefined;
  /** Aastra's global SIP object, used where a VoiceProfile leaves a server setting empty. */
  globalSip?: string | undefined;
}

const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('.') + 1);

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'); // no fractions (tr069-protocol.md §5.1)
}

export function deriveValue(name: DeriveName, path: string, ctx: DeriveContext): string {
  const base = parentOf(path);
  switch (name) {
    case 'upTime': return String(Math.max(0, Math.floor((ctx.now() - ctx.bootAt) / 1000)));
    case 'currentLocalTime': return isoSeconds(ctx.now());
    case 'connectionRequestUrl': return ctx.crUrl;
    case 'softwareVersion': return ctx.softwareVersion;
    case 'sipClientStatus': return sipClientStatus(ctx, base);
    case 'callControlLineStatus': return callControlLineStatus(ctx, base);
    case 'tr104i1LineStatus': return tr104i1Status(ctx, base, ctx.globalSip);
    case 'udpConnectionRequestAddress': return ctx.net.udpCr;
    case 'natDetected': return ctx.net.natDetected ? 'true' : 'false';
    case 'lanIp': return ctx.net.ip;
    case 'lanMask': return ctx.net.mask;
    case 'lanGateway': return ctx.net.gateway;
    case 'lanDns': return ctx.net.dns;
    case 'lanMac': return ctx.net.mac;
    default: return String(ctx.instances(`${base}${name.slice('count:'.length)}.`).length);
  }
}

export { isoSeconds };
