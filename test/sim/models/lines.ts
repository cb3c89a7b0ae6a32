// A phone's SIP lines as the PBX sees them: which settings each line registers with (read from
// the family's voice layout) and the Status the phone reports for it. TR-104 issue 1 keeps the
// servers per VoiceProfile and the credentials per Line (tr069-protocol.md §10.5); issue 2 keeps
// servers in SIP.Network, credentials in SIP.Client and the line in CallControl.Line (§10.6).

import { looseVerdict, type LineSettings, type RegistrationVerdict, type SitePbx } from '../pbx.ts';
import type { VoiceLayout } from './types.ts';

export interface LineReader {
  /** Canonical value of a concrete parameter ('' when it does not exist). */
  read(path: string): string;
  /** Instance numbers of a concrete table path. */
  instances(tablePath: string): readonly number[];
  pbx?: SitePbx | undefined;
}

export interface LineView {
  /** Concrete path of the line object (`…VoiceProfile.2.Line.1.`, `…CallControl.Line.1.`). */
  path: string;
  /** Its Status parameter. */
  statusPath: string;
  user: string;
  verdict: RegistrationVerdict;
}

function verdict(r: LineReader, s: LineSettings): RegistrationVerdict {
  return r.pbx ? r.pbx.register(s) : looseVerdict(s);
}

/** Server, port and transport of a SIP server object (issue 1 VoiceProfile.SIP. or issue 2 SIP.Network.{i}.). */
function serverOf(get: (leaf: string) => string): Pick<LineSettings, 'server' | 'port' | 'transport'> {
  const registrar = get('RegistrarServer');
  const proxy = get('ProxyServer');
  const server = registrar || proxy;
  const port = Number(registrar ? get('RegistrarServerPort') : get('ProxyServerPort')) || 0;
  const transport = (proxy ? get('ProxyServerTransport') : get('RegistrarServerTransport')) || 'UDP';
  return { server, port, transport };
}

/** Settings of a TR-104 issue 1 line; `globalSip` (Aastra) fills profile leaves left empty. */
export function tr104i1Settings(r: LineReader, lineBase: string, globalSip?: string): LineSettings {
  const profile = lineBase.replace(/Line\.\d+\.$/, '');
  const get = (leaf: string): string => {
    const own = r.read(`${profile}SIP.${leaf}`);
    // Aastra: an empty server (or port 0) in the profile means "the global profile's".
    return globalSip && (own === '' || own === '0') ? r.read(`${globalSip}${leaf}`) : own;
  };
  const enabled = r.read(`${lineBase}Enable`) === 'Enabled' && r.read(`${profile}Enable`) === 'Enabled';
  return {
    enabled, ...serverOf(get),
    user: r.read(`${lineBase}SIP.AuthUserName`), password: r.read(`${lineBase}SIP.AuthPassword`),
  };
}

/** Settings of a TR-104 issue 2 SIP.Client (servers from the SIP.Network it references). */
export function sipClientSettings(r: LineReader, clientBase: string): LineSettings {
  const network = r.read(`${clientBase}Network`);
  const get = (leaf: string): string => (network ? r.read(`${network}.${leaf}`) : '');
  const enabled = r.read(`${clientBase}Enable`) === 'true' && (!network || r.read(`${network}.Enable`) === 'true');
  return { enabled, ...serverOf(get), user: r.read(`${clientBase}AuthUserName`), password: r.read(`${clientBase}AuthPassword`) };
}

/** TR-104 issue 1 `Line.{i}.Status`: Up | Disabled | Quiescent | Error. */
export function tr104i1Status(r: LineReader, lineBase: string, globalSip?: string): string {
  const enable = r.read(`${lineBase}Enable`);
  if (enable === 'Quiescent') return 'Quiescent';
  const v = verdict(r, tr104i1Settings(r, lineBase, globalSip));
  return v.registered ? 'Up' : v.reason === 'disabled' ? 'Disabled' : 'Error';
}

const CLIENT_ERROR: Record<string, string> = {
  disabled: 'Disabled', misconfigured: 'Error_Misconfigured', network: 'Error_Network', auth: 'Error_Registration',
};

/** TR-104 issue 2 `SIP.Client.{i}.Status`. */
export function sipClientStatus(r: LineReader, clientBase: string): string {
  const v = verdict(r, sipClientSettings(r, clientBase));
  return v.registered ? 'Up' : CLIENT_ERROR[v.reason]!;
}

/** TR-104 issue 2 `CallControl.Line.{i}.Status`: Up when enabled and its Provider (a SIP.Client) is Up. */
export function callControlLineStatus(r: LineReader, lineBase: string): string {
  if (r.read(`${lineBase}Enable`) !== 'true') return 'Disabled';
  const provider = r.read(`${lineBase}Provider`);
  return provider && sipClientStatus(r, `${provider}.`) === 'Up' ? 'Up' : 'Error';
}

/** Concrete paths of a template with `{i}` segments (`A.{i}.B.{i}.` → `A.1.B.1.`, `A.1.B.2.`, …). */
export function expand(r: LineReader, template: string): string[] {
  const at = template.indexOf('{i}');
  if (at < 0) return [template];
  const table = template.slice(0, at);
  return r.instances(table).flatMap((n) => expand(r, `${table}${n}${template.slice(at + 3)}`));
}

/** Every line of the phone, in order, with the user it registers as and the PBX's verdict. */
export function phoneLines(r: LineReader, voice: VoiceLayout): LineView[] {
  if (voice.kind === 'tr104i1') {
    return expand(r, `${voice.profiles}{i}.Line.{i}.`).map((path) => {
      const s = tr104i1Settings(r, path, voice.globalSip);
      return { path, statusPath: `${path}Status`, user: s.user, verdict: verdict(r, s) };
    });
  }
  return expand(r, `${voice.service}CallControl.Line.{i}.`).map((path) => {
    const provider = r.read(`${path}Provider`);
    const s = provider ? sipClientSettings(r, `${provider}.`) : { enabled: false, server: '', port: 0, transport: '', user: '', password: '' };
    const v = r.read(`${path}Enable`) === 'true' ? verdict(r, s) : { registered: false as const, reason: 'disabled' as const };
    return { path, statusPath: `${path}Status`, user: s.user, verdict: v };
  });
}

/** One SetParameterValues entry (tests and self-provisioning fleets). */
export interface SpvEntry { name: string; value: string; type: string }

/** What a site template says about one line (the provisioning intents sip.* and line[n].*). */
export interface LineConfig { proxy: string; port: number; transport: string; user: string; password: string }

/**
 * The SetParameterValues that give line `index` (0-based, phoneLines order) this configuration on
 * this phone's data model: what an ACS template has to produce for the line to register.
 */
export function lineSpv(r: LineReader, voice: VoiceLayout, index: number, c: LineConfig): SpvEntry[] {
  const line = phoneLines(r, voice)[index];
  if (!line) throw new Error(`no line ${index + 1}`);
  const s = (name: string, value: string): SpvEntry => ({ name, value, type: 'xsd:string' });
  const u = (name: string, value: number): SpvEntry => ({ name, value: String(value), type: 'xsd:unsignedInt' });
  const b = (name: string): SpvEntry => ({ name, value: 'true', type: 'xsd:boolean' });
  if (voice.kind === 'tr104i1') {
    const sip = `${line.path.replace(/Line\.\d+\.$/, '')}SIP.`;
    return [
      s(`${sip}ProxyServer`, c.proxy), u(`${sip}ProxyServerPort`, c.port), s(`${sip}ProxyServerTransport`, c.transport),
      s(`${sip}RegistrarServer`, c.proxy), u(`${sip}RegistrarServerPort`, c.port), s(`${sip}RegistrarServerTransport`, c.transport),
      s(`${line.path}SIP.AuthUserName`, c.user), s(`${line.path}SIP.AuthPassword`, c.password), s(`${line.path}Enable`, 'Enabled'),
    ];
  }
  const client = r.read(`${line.path}Provider`);
  const network = r.read(`${client}.Network`);
  return [
    s(`${network}.ProxyServer`, c.proxy), u(`${network}.ProxyServerPort`, c.port), s(`${network}.ProxyServerTransport`, c.transport),
    s(`${network}.RegistrarServer`, c.proxy), u(`${network}.RegistrarServerPort`, c.port), s(`${network}.RegistrarServerTransport`, c.transport),
    b(`${network}.Enable`), s(`${client}.AuthUserName`, c.user), s(`${client}.AuthPassword`, c.password), b(`${client}.Enable`), b(`${line.path}Enable`),
  ];
}
