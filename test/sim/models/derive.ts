// Computed parameter values: uptime, clock, the connection-request URL, the running firmware,
// table counters and SIP registration state. Families name them (types.ts DeriveName) so a
// family stays pure data. A simulated line "registers" (Status Up) once it is enabled and has a
// user name and a server — which lets ACS tests observe provisioning take effect.

import type { DeriveName } from './types.ts';

export interface DeriveContext {
  /** Canonical value of a concrete parameter path ('' when it does not exist). */
  read(path: string): string;
  /** Instance numbers of a concrete table path (`…SIP.Client.`). */
  instances(tablePath: string): readonly number[];
  now(): number;
  bootAt: number;
  crUrl: string;
  softwareVersion: string;
}

const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('.') + 1);

/** Registration state of a TR-104 issue 2 `SIP.Client.{i}` (tr069-protocol.md §10.6). */
function sipClientStatus(base: string, ctx: DeriveContext): string {
  if (ctx.read(`${base}Enable`) !== 'true') return 'Disabled';
  const network = ctx.read(`${base}Network`);
  const server = network ? ctx.read(`${network}.RegistrarServer`) || ctx.read(`${network}.ProxyServer`) : '';
  return ctx.read(`${base}AuthUserName`) !== '' && server !== '' ? 'Up' : 'Error_Misconfigured';
}

/** `CallControl.Line.{i}.Status`: Up when enabled and its Provider (a SIP.Client) is Up. */
function callControlLineStatus(base: string, ctx: DeriveContext): string {
  if (ctx.read(`${base}Enable`) !== 'true') return 'Disabled';
  const provider = ctx.read(`${base}Provider`);
  return provider && sipClientStatus(`${provider}.`, ctx) === 'Up' ? 'Up' : 'Error';
}

/** TR-104 issue 1 `VoiceProfile.{i}.Line.{i}.Status` (enable flags are the strings Enabled/Disabled/Quiescent). */
function tr104i1LineStatus(base: string, ctx: DeriveContext): string {
  const enable = ctx.read(`${base}Enable`);
  if (enable !== 'Enabled') return enable === 'Quiescent' ? 'Quiescent' : 'Disabled';
  const profile = base.replace(/Line\.\d+\.$/, '');
  if (ctx.read(`${profile}Enable`) !== 'Enabled') return 'Disabled';
  const server = ctx.read(`${profile}SIP.RegistrarServer`) || ctx.read(`${profile}SIP.ProxyServer`);
  return ctx.read(`${base}SIP.AuthUserName`) !== '' && server !== '' ? 'Up' : 'Error';
}

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
    case 'sipClientStatus': return sipClientStatus(base, ctx);
    case 'callControlLineStatus': return callControlLineStatus(base, ctx);
    case 'tr104i1LineStatus': return tr104i1LineStatus(base, ctx);
    default: return String(ctx.instances(`${base}${name.slice('count:'.length)}.`).length);
  }
}

export { isoSeconds };
