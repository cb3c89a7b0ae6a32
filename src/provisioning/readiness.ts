// Model readiness report (DESIGN "Model readiness report"): the first time a model (OUI +
// ProductClass) is seen, record which voice and network objects it exposes and which intents
// are writable, and then — as they happen — whether TLS, Digest, connection requests and
// firmware download worked: the checklist a tender asks vendors to prove.

import { allIntentNames, intentDef, parseLineIntent } from './intents.ts';
import { expand } from './expand.ts';
import type { ModelProfile } from './profiles.ts';
import type { ParamTree, TreeJson } from './tree.ts';

export type CheckResult = { result: 'ok' | 'failed' | 'untested' | 'n/a'; detail: string; at: string | null };

export interface ReadinessReport {
  model: string;
  manufacturer: string;
  oui: string;
  productClass: string;
  softwareVersion: string;
  root: string;
  firstDevice: string;
  profile: string | null;
  dataModel: string;
  rpcMethods: readonly string[] | null;
  objects: { object: string; kind: 'voice' | 'network' | 'management'; present: boolean; instances: number | null }[];
  intents: { writable: string[]; readOnly: string[]; unsupported: string[] };
  checks: Record<'tls' | 'digest' | 'credentialRotation' | 'httpConnectionRequest' | 'udpConnectionRequest' | 'firmwareDownload' | 'addObject' | 'activeNotification' | 'booleanLiteral', CheckResult>;
  /** Discovered tree (name templates → writable, factory instances): reused for the next phones of the model. */
  tree: TreeJson;
}

const OBJECTS: { object: string; kind: 'voice' | 'network' | 'management' }[] = [
  { object: 'ManagementServer.', kind: 'management' },
  { object: 'DeviceInfo.', kind: 'management' },
  { object: 'Time.', kind: 'network' },
  { object: 'Syslog.', kind: 'network' },
  { object: 'LAN.', kind: 'network' },
  { object: 'Ethernet.VLANTermination.', kind: 'network' },
  { object: 'Services.VoiceService.{i}.SIP.Network.', kind: 'voice' },
  { object: 'Services.VoiceService.{i}.SIP.Client.', kind: 'voice' },
  { object: 'Services.VoiceService.{i}.CallControl.Line.', kind: 'voice' },
  { object: 'Services.VoiceService.{i}.VoIPProfile.', kind: 'voice' },
  { object: 'Services.VoiceService.{i}.VoiceProfile.', kind: 'voice' },
  { object: 'Services.VoiceService.{i}.VoiceProfile.{i}.Line.', kind: 'voice' },
  { object: 'VoiceService.VoiceProfile.', kind: 'voice' },
];

const untested = (detail = 'not tried yet'): CheckResult => ({ result: 'untested', detail, at: null });

export type ReadinessInput = Pick<ReadinessReport,
  'model' | 'manufacturer' | 'oui' | 'productClass' | 'softwareVersion' | 'root' | 'firstDevice' | 'rpcMethods'> & {
  profile: ModelProfile | null;
  tree: ParamTree;
  at: string;
  tls: boolean;
  /** How the phone authenticated, when the ACS tells us. */
  auth: string | null;
};

export function buildReadiness(i: ReadinessInput): ReadinessReport {
  const probe: Record<string, string> = {};
  for (const name of allIntentNames(1)) probe[name] = intentDef(name)!.type === 'bool' ? 'true' : '1';
  const exp = i.profile ? expand(i.profile, i.tree, probe, { boolDigits: false }) : null;
  const writable = new Set<string>();
  const readOnly = new Set<string>();
  for (const p of exp?.params ?? []) {
    if (p.intent.endsWith('.link')) continue;
    const name = parseLineIntent(p.intent) ? p.intent.replace(/^line\[\d+\]/, 'line[n]') : p.intent;
    if (i.tree.writable(p.path) === false || intentDef(p.intent)?.checkOnly) readOnly.add(name);
    else writable.add(name);
  }
  for (const w of writable) readOnly.delete(w);
  const unsupported = (exp?.unsupported ?? allIntentNames(1)).map((n) => n.replace(/^line\[\d+\]/, 'line[n]'));
  const has = (m: string) => i.rpcMethods === null ? null : i.rpcMethods.includes(m);
  return {
    model: i.model, manufacturer: i.manufacturer, oui: i.oui, productClass: i.productClass, softwareVersion: i.softwareVersion,
    root: i.root, firstDevice: i.firstDevice, profile: i.profile?.id ?? null, dataModel: i.profile?.description ?? 'not recognised',
    rpcMethods: i.rpcMethods,
    objects: OBJECTS.map((o) => {
      const path = `${i.root}${o.object}`;
      const present = i.tree.hasPrefix(path);
      const concrete = path.replaceAll('{i}', '1');
      return { object: path, kind: o.kind, present, instances: present && path.endsWith('.') && o.object.match(/(Client|Line|Network|Profile|VLANTermination)\.$/) ? i.tree.instances(concrete).length : null };
    }),
    intents: { writable: [...writable].sort(), readOnly: [...readOnly].sort(), unsupported: [...new Set(unsupported)].sort() },
    checks: {
      tls: i.tls ? { result: 'ok', detail: 'Inform over HTTPS with the site CA', at: i.at } : { result: 'failed', detail: 'plain HTTP (acs.tls.plainHttp)', at: i.at },
      digest: i.auth?.startsWith('Digest') ? { result: 'ok', detail: i.auth, at: i.at } : untested(i.auth ? `first session used ${i.auth}` : 'authentication scheme not reported by the ACS engine'),
      credentialRotation: untested(),
      httpConnectionRequest: untested(),
      udpConnectionRequest: untested(),
      firmwareDownload: has('Download') === false ? { result: 'failed', detail: 'Download not in GetRPCMethods', at: i.at } : untested('no firmware pushed yet'),
      addObject: has('AddObject') === false ? { result: 'failed', detail: 'AddObject not in GetRPCMethods: lines limited to the factory instances', at: i.at } : untested(),
      activeNotification: untested(),
      booleanLiteral: untested('true/false assumed'),
    },
    tree: i.tree.toJSON(),
  };
}

export function setCheck(r: ReadinessReport, key: keyof ReadinessReport['checks'], result: CheckResult['result'], detail: string, at: string): boolean {
  const prev = r.checks[key];
  // The first proof counts: nothing replaces a success (the report is not rewritten per phone).
  if (prev.result === 'ok') return false;
  if (prev.result === result && prev.detail === detail) return false;
  r.checks[key] = { result, detail, at };
  return true;
}
