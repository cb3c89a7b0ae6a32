// YAML provisioning files → one checked ProvisioningContent. Every problem names its file and
// line (STYLE habit 8): YAML syntax, schema, unknown intents, bad values, dangling references,
// duplicate ids and positions claiming the same switch port. All problems are collected and
// thrown together as CONFIG_INVALID; nothing is returned half-checked.

import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { lineOf } from '../core/yaml.ts';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../core/config/load.ts';
import {
  CRITICALITY_DEFAULTS, emptyContent, fileSchema, type FileDoc, type LineDoc, type ProvisioningContent, type Values,
} from './content.ts';
import { canonicalIntentValue, intentDef } from './intents.ts';

type Path = (string | number)[];

interface Src {
  file: string;
  doc: Document;
  lc: LineCounter;
}

class Problems {
  readonly list: ConfigProblem[] = [];
  add(src: Src | null, path: Path, message: string): void {
    this.list.push({ path: `${src?.file ?? '?'}: ${path.join('.')}`, line: src ? lineOf(src.doc, src.lc, path) : null, message });
  }
}

/** Where each item came from, for cross-reference messages. */
interface Origins {
  templates: Map<string, Src>;
  zones: Map<string, Src>;
  positions: Map<string, Src>;
  rules: { src: Src; index: number }[];
}

/**
 * Parse the YAML files of a site (relative path → text) into one ProvisioningContent. Files are
 * read in name order; a file may hold several YAML documents. Throws ConfigError
 * ('CONFIG_INVALID' or 'CONFIG_PARSE') naming file and line.
 */
export function parseProvisioningDocuments(files: Record<string, string>): ProvisioningContent {
  const problems = new Problems();
  const content = emptyContent();
  const origins: Origins = { templates: new Map(), zones: new Map(), positions: new Map(), rules: [] };
  let syntax = false;
  for (const file of Object.keys(files).sort()) {
    const lc = new LineCounter();
    const docs = parseAllDocuments(files[file]!, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
    if (!Array.isArray(docs)) continue; // an empty stream
    for (const doc of docs) {
      const src: Src = { file, doc, lc };
      if (doc.errors.length > 0) {
        syntax = true;
        for (const e of doc.errors) problems.list.push({ path: file, line: e.linePos?.[0]?.line ?? null, message: e.message.split('\n')[0]! });
        continue;
      }
      const raw: unknown = doc.toJS({ maxAliasCount: 50 });
      if (raw === null || raw === undefined) continue;
      const r = fileSchema.safeParse(raw);
      if (!r.success) {
        for (const i of r.error.issues) addIssue(problems, src, i);
        continue;
      }
      merge(content, origins, src, r.data, problems);
    }
  }
  if (problems.list.length === 0) crossCheck(content, origins, problems);
  if (problems.list.length > 0) throw new ConfigError(syntax ? 'CONFIG_PARSE' : 'CONFIG_INVALID', problems.list, 'provisioning');
  return content;
}

function addIssue(problems: Problems, src: Src, i: z.core.$ZodIssue): void {
  const path = i.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (i.code === 'unrecognized_keys') problems.add(src, [...path, i.keys[0]!], `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}`);
  else problems.add(src, path, i.message);
}

function merge(c: ProvisioningContent, o: Origins, src: Src, f: FileDoc, problems: Problems): void {
  for (const [id, t] of Object.entries(f.templates ?? {})) {
    if (dup(o.templates, id, src, ['templates', id], problems)) continue;
    c.templates[id] = { id, name: t.name || id, description: t.description, extends: t.extends ?? null,
      values: checkValues(t.values, src, ['templates', id, 'values'], problems) };
  }
  for (const [id, z] of Object.entries(f.zones ?? {})) {
    if (dup(o.zones, id, src, ['zones', id], problems)) continue;
    const dflt = CRITICALITY_DEFAULTS[z.criticality];
    c.zones[id] = {
      id, name: z.name || id, criticality: z.criticality, template: z.template, mode: z.mode,
      inform: { onboarding: z.inform.onboarding ?? dflt.onboarding, steady: z.inform.steady ?? dflt.steady },
      missedInforms: z.missedInforms ?? dflt.missedInforms, verifyEvery: z.verifyEvery ?? dflt.verifyEvery,
      values: checkValues(z.values, src, ['zones', id, 'values'], problems),
    };
  }
  for (const [id, p] of Object.entries(f.positions ?? {})) {
    if (dup(o.positions, id, src, ['positions', id], problems)) continue;
    const values = { ...checkValues(lineValues(p.lines), src, ['positions', id, 'lines'], problems),
      ...checkValues(p.values, src, ['positions', id, 'values'], problems) };
    c.positions[id] = { id, name: p.name || id, zone: p.zone ?? null, template: p.template ?? null, match: { ...p.match }, values };
  }
  (f.rules ?? []).forEach((r, index) => {
    o.rules.push({ src, index });
    c.rules.push({ name: r.name || `${src.file}#${index + 1}`, match: { ...r.match }, zone: r.zone, template: r.template ?? null });
  });
}

function dup(seen: Map<string, Src>, id: string, src: Src, path: Path, problems: Problems): boolean {
  const prev = seen.get(id);
  if (prev) {
    problems.add(src, path, `duplicate id '${id}' (first defined in ${prev.file} line ${lineOf(prev.doc, prev.lc, path) ?? '?'})`);
    return true;
  }
  seen.set(id, src);
  return false;
}

/** `lines: { 1: { number: 2001 } }` → `{ 'line[1].number': '2001' }`. */
function lineValues(lines: Record<string, LineDoc>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [n, l] of Object.entries(lines)) {
    for (const [leaf, v] of Object.entries(l)) if (v !== undefined) out[`line[${Number(n)}].${leaf}`] = v;
  }
  return out;
}

/** Check intent names and values; `${…}` strings are checked after interpolation (desired.ts). */
export function checkValues(raw: Record<string, string | number | boolean>, src: Src | null, path: Path, problems: Problems): Values {
  const out: Values = {};
  for (const [name, v] of Object.entries(raw)) {
    const def = intentDef(name);
    const at = path[path.length - 1] === 'lines' ? path : [...path, name];
    if (!def) {
      problems.add(src, at, `unknown intent '${name}'`);
      continue;
    }
    if (typeof v === 'string' && v.includes('${')) {
      out[name] = v;
      continue;
    }
    const c = canonicalIntentValue(def, v);
    if (c.ok) out[name] = c.value;
    else problems.add(src, at, c.error);
  }
  return out;
}

function crossCheck(c: ProvisioningContent, o: Origins, problems: Problems): void {
  const where = (m: Map<string, Src>, id: string) => m.get(id) ?? null;
  for (const t of Object.values(c.templates)) {
    if (t.extends && !c.templates[t.extends]) problems.add(where(o.templates, t.id), ['templates', t.id, 'extends'], `no template '${t.extends}'`);
    const chain = new Set<string>([t.id]);
    for (let p = t.extends; p && c.templates[p]; p = c.templates[p]!.extends) {
      if (chain.has(p)) {
        problems.add(where(o.templates, t.id), ['templates', t.id, 'extends'], `'extends' forms a cycle through '${p}'`);
        break;
      }
      chain.add(p);
    }
  }
  for (const z of Object.values(c.zones)) {
    if (!c.templates[z.template]) problems.add(where(o.zones, z.id), ['zones', z.id, 'template'], `no template '${z.template}'`);
  }
  const claimed = new Map<string, string>();
  for (const p of Object.values(c.positions)) {
    const src = where(o.positions, p.id);
    if (p.zone && !c.zones[p.zone]) problems.add(src, ['positions', p.id, 'zone'], `no zone '${p.zone}'`);
    if (p.template && !c.templates[p.template]) problems.add(src, ['positions', p.id, 'template'], `no template '${p.template}'`);
    for (const key of positionKeys(p.match)) {
      const other = claimed.get(key);
      if (other) problems.add(src, ['positions', p.id, 'match'], `position '${other}' already claims ${key}`);
      else claimed.set(key, p.id);
    }
  }
  c.rules.forEach((r, i) => {
    const src = o.rules[i]!;
    if (!c.zones[r.zone]) problems.add(src.src, ['rules', src.index, 'zone'], `no zone '${r.zone}'`);
    if (r.template && !c.templates[r.template]) problems.add(src.src, ['rules', src.index, 'template'], `no template '${r.template}'`);
  });
}

/** The identities a position claims: a switch port, a serial, a MAC (normalised). */
export function positionKeys(m: { switch?: string; port?: string; serial?: string; mac?: string }): string[] {
  const keys: string[] = [];
  if (m.switch) keys.push(`switch ${m.switch} port ${m.port ?? '*'}`);
  if (m.serial) keys.push(`serial ${m.serial}`);
  if (m.mac) keys.push(`mac ${normaliseMac(m.mac)}`);
  return keys;
}

export function normaliseMac(mac: string): string {
  const hex = mac.toLowerCase().replace(/[^0-9a-f]/g, '');
  return hex.length === 12 ? hex.match(/../g)!.join(':') : mac.toLowerCase();
}
