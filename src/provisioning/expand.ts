// Intents → concrete parameters of one device, through its model profile and the tree the device
// reported (tr069-protocol.md §5.2–5.3, §10). Wire formats per model: boolean literal (§5.1,
// §11.3), TR-104 issue 1 Enable strings and DTMF names (§10.5).

import type { Values } from './content.ts';
import { intentDef, parseLineIntent } from './intents.ts';
import type { ModelProfile, PathMap, WireFormat } from './profiles.ts';

/** What the planner knows about the device's parameter tree. */
export interface Tree {
  has(path: string): boolean;
  /** Writable as reported by GetParameterNames; null when unknown. */
  writable(path: string): boolean | null;
  /** Instance numbers of a table (`X.` → [1, 3]), ascending. */
  instances(table: string): number[];
}

export interface DesiredParam {
  path: string;
  intent: string;
  line: number | null;
  /** Canonical intent value. */
  want: string;
  /** Value as sent in SetParameterValues. */
  wire: string;
  type: PathMap['type'];
  format: WireFormat;
  secret: boolean;
  critical: boolean;
  /** Read and compared, never written (firmware version, line status). */
  checkOnly: boolean;
}

export interface Expansion {
  params: DesiredParam[];
  /** Tables that need more instances (AddObject) before every line can be configured. */
  missing: { table: string; line: number }[];
  /** Intents the model has no path for (not applicable on this model). */
  unsupported: string[];
}

export interface WireOptions {
  /** Send booleans as 1/0 (learned per model when true/false faults 9007, §11.3). */
  boolDigits: boolean;
}

export function toWire(want: string, type: PathMap['type'], format: WireFormat, o: WireOptions): string {
  if (format === 'enabled') return want === 'true' ? 'Enabled' : 'Disabled';
  if (format === 'dtmf-i1') return want === 'RFC4733' ? 'RFC2833' : want;
  if (type === 'xsd:boolean') return o.boolDigits ? (want === 'true' ? '1' : '0') : want;
  return want;
}

/** Does a reported value mean the canonical value we want? (lenient reading, §5.1, §11.3) */
export function sameValue(d: Pick<DesiredParam, 'want' | 'type' | 'format'>, reported: string): boolean {
  const r = reported.trim();
  if (d.format === 'enabled') return (r === 'Enabled') === (d.want === 'true');
  if (d.format === 'dtmf-i1') return (r === 'RFC2833' ? 'RFC4733' : r) === d.want;
  if (d.type === 'xsd:boolean') return (r === '1' || r.toLowerCase() === 'true') === (d.want === 'true');
  if (d.type === 'xsd:unsignedInt' || d.type === 'xsd:int') return r !== '' && Number(r) === Number(d.want);
  return reported === d.want;
}

/** Which lines the intents manage (site-wide per-line paths expand over these; line 1 at least). */
export function managedLines(values: Values): number[] {
  const set = new Set<number>([1]);
  for (const k of Object.keys(values)) {
    const l = parseLineIntent(k);
    if (l) set.add(l.line);
  }
  return [...set].sort((a, b) => a - b);
}

/** Resolve the placeholders of line n, or report which table lacks an instance. */
function lineKeys(profile: ModelProfile, tree: Tree, n: number): { keys: Record<string, string> } | { missing: string } {
  const keys: Record<string, string> = {};
  for (const t of profile.lineTables) {
    const table = fill(t.table, keys);
    const ids = tree.instances(table);
    const id = t.pick === 'first' ? ids[0] : ids[n - 1];
    if (id === undefined) return { missing: table };
    keys[t.key] = String(id);
  }
  return { keys };
}

const fill = (template: string, keys: Record<string, string>): string =>
  template.replace(/\{([a-z]+)\}/g, (m, k: string) => keys[k] ?? m);

export function expand(profile: ModelProfile, tree: Tree, values: Values, o: WireOptions): Expansion {
  const out: Expansion = { params: [], missing: [], unsupported: [] };
  const lines = managedLines(values);
  const keysOf = new Map<number, Record<string, string>>();
  for (const n of lines) {
    const r = lineKeys(profile, tree, n);
    if ('keys' in r) keysOf.set(n, r.keys);
    else if (Object.keys(values).some((k) => parseLineIntent(k)?.line === n) || n === 1) out.missing.push({ table: r.missing, line: n });
  }
  const seen = new Set<string>();
  const add = (intent: string, line: number | null, want: string, maps: readonly PathMap[], keys: Record<string, string>): boolean => {
    const def = intentDef(intent);
    let any = false;
    for (const m of maps) {
      const path = fill(m.path, keys);
      if (path.includes('{') || !tree.has(path) || seen.has(path)) continue;
      seen.add(path);
      any = true;
      const format = m.format ?? 'plain';
      out.params.push({ path, intent, line, want, wire: toWire(want, m.type, format, o), type: m.type, format,
        secret: def?.secret === true, critical: def?.critical === true, checkOnly: def?.checkOnly === true });
    }
    return any;
  };
  for (const [intent, want] of Object.entries(values)) {
    const l = parseLineIntent(intent);
    const maps = l ? profile.line[l.leaf] : profile.intents[intent];
    if (!maps) {
      out.unsupported.push(intent);
      continue;
    }
    if (l) {
      const keys = keysOf.get(l.line);
      if (keys && !add(intent, l.line, want, maps, keys)) out.unsupported.push(intent);
      continue;
    }
    // A site-wide setting kept per account (Yealink-like VoiceProfile per line) is written for each line.
    const perLine = maps.some((m) => m.path.includes('{'));
    let any = false;
    for (const n of perLine ? lines : [0]) {
      const keys = perLine ? keysOf.get(n) : {};
      if (keys) any = add(intent, null, want, maps, keys) || any;
    }
    if (!any && !(perLine && out.missing.length > 0)) out.unsupported.push(intent);
  }
  addLinks(out, profile, tree, keysOf, values, o);
  return out;
}

/** Line status is always observed for managed lines; links tie each line's objects together. */
function addLinks(out: Expansion, profile: ModelProfile, tree: Tree, keysOf: Map<number, Record<string, string>>, values: Values, o: WireOptions): void {
  for (const [n, keys] of keysOf) {
    if (!Object.keys(values).some((k) => parseLineIntent(k)?.line === n)) continue;
    for (const link of profile.lineLinks) {
      const path = fill(link.path, keys);
      if (!tree.has(path) || out.params.some((p) => p.path === path)) continue;
      const want = fill(link.value, keys);
      out.params.push({ path, intent: `line[${n}].link`, line: n, want, wire: toWire(want, link.type, 'plain', o), type: link.type, format: 'plain', secret: false, critical: false, checkOnly: false });
    }
    const statusIntent = `line[${n}].status`;
    if (values[statusIntent] !== undefined || values[`line[${n}].enable`] === 'false') continue;
    for (const m of profile.line.status ?? []) {
      const path = fill(m.path, keys);
      if (tree.has(path)) out.params.push({ path, intent: statusIntent, line: n, want: 'Up', wire: 'Up', type: m.type, format: 'plain', secret: false, critical: false, checkOnly: true });
    }
  }
}
