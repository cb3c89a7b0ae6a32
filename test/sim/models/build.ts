// Compiles a Family (data) into a Model (shared schema tree). Runs once per family per process;
// the result is immutable and shared by every simulated phone of that family, which is what
// keeps a 10,000-phone fleet inside its memory budget.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvRecords, parseCsv } from './csv.ts';
import type { BaseType, Family, Model, ObjDef, ObservedSource, ParamDef, SchemaNode, TableDef } from './types.ts';

const DATA_DIR = join(import.meta.dirname, 'data');
const BASE_TYPES: ReadonlySet<string> = new Set(['string', 'int', 'unsignedInt', 'long', 'unsignedLong', 'boolean', 'dateTime', 'base64', 'hexBinary']);

interface Row { path: string; kind: string; type: string; access: string; constraints: string; default: string }

function rowsOf(text: string): Row[] {
  const [header, ...rows] = parseCsv(text);
  if (!header || header[0] !== 'path') throw new Error('model CSV must start with a path,kind,type,access,constraints,default header');
  return rows.map((r) => ({ path: r[0] ?? '', kind: r[1] ?? '', type: r[2] ?? '', access: r[3] ?? '', constraints: r[4] ?? '', default: r[5] ?? '' }));
}

/** Rows of a family in order: CSV sources (filtered, prefix-rewritten), then extra rows replacing same paths. */
export function familyRows(family: Family, readData: (file: string) => string = (f) => readFileSync(join(DATA_DIR, f), 'utf8')): Row[] {
  const byPath = new Map<string, Row>();
  for (const src of family.sources) {
    for (const row of rowsOf(readData(src.file))) {
      const path = src.from && src.to && row.path.startsWith(src.from) ? src.to + row.path.slice(src.from.length) : row.path;
      if (!src.include.some((p) => path.startsWith(p))) continue;
      if (src.exclude?.some((p) => path.startsWith(p))) continue;
      byPath.set(path, { ...row, path });
    }
  }
  for (const src of family.observed ?? []) for (const row of observedRows(src, readData(src.file))) byPath.set(row.path, row);
  for (const row of rowsOf(`path,kind,type,access,constraints,default\n${family.extra.join('\n')}\n`)) byPath.set(row.path, row);
  return [...byPath.values()];
}

/** Vendor leaves of an observation file (path,xsd_type,sample_value,notes) as writable parameter rows. */
function observedRows(src: ObservedSource, text: string): Row[] {
  const out: Row[] = [];
  for (const rec of csvRecords(text)) {
    let path = rec['path'] ?? '';
    if (!path.includes(src.match)) continue;
    // Observations name concrete instances (`VoiceService.1.`, `VoiceProfile.{N}.`): generalise.
    path = path.replace(/\.\{N\}(?=\.)/g, '.{i}').replace(/\.(VoiceService|VoiceProfile|Line)\.1(?=\.)/g, '.$1.{i}');
    if (src.from && src.to && path.startsWith(src.from)) path = src.to + path.slice(src.from.length);
    const type = (rec['xsd_type'] ?? 'xsd:string').replace(/^xsd:/, '');
    out.push({ path, kind: 'parameter', type, access: 'readWrite', constraints: '', default: '' });
  }
  return out;
}

interface Constraints { enumValues?: string[]; ranges?: [number | null, number | null][]; maxLength?: number; listMaxLength?: number }

/** `maxLength=64 enum=A|B C|D range=0:63 pathRef` → facets. Enum values may contain spaces. */
export function parseConstraints(text: string): Constraints {
  const out: Constraints = {};
  const re = /(maxLength|listMaxLength|range|min|max|enum)=(.*?)(?=\s+(?:maxLength|listMaxLength|range|min|max|enum)=|\s+pathRef\b|$)/g;
  for (const m of text.matchAll(re)) {
    const [, key, value = ''] = m;
    if (key === 'maxLength') out.maxLength = Number(value);
    else if (key === 'listMaxLength') out.listMaxLength = Number(value);
    else if (key === 'enum') out.enumValues = value.split('|');
    else if (key === 'range') {
      const [lo = '', hi = ''] = value.split(':');
      (out.ranges ??= []).push([lo === '' ? null : Number(lo), hi === '' ? null : Number(hi)]);
    }
  }
  return out;
}

function splitType(csvType: string): { type: BaseType; named?: string } {
  const m = /^(\w+)(?:\[(\w+)\])?$/.exec(csvType);
  const base = m?.[1] ?? 'string';
  const type = (BASE_TYPES.has(base) ? base : 'string') as BaseType;
  return m?.[2] ? { type, named: m[2] } : { type };
}

/** Walks/creates the object chain for a template path ending in `.`; returns the object node. */
function ensureObject(root: ObjDef, template: string): ObjDef {
  const segs = template.slice(0, -1).split('.').slice(1);
  let node = root;
  let path = `${root.name}.`;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    if (seg === '{i}') continue; // handled with the table segment before it
    path += `${seg}.`;
    const isTable = segs[i + 1] === '{i}';
    let child = node.children.get(seg);
    if (!child) {
      const entryTemplate = `${path}{i}.`;
      child = isTable
        ? { kind: 'table', name: seg, template: path, writable: false, entry: { kind: 'object', name: '{i}', template: entryTemplate, children: new Map() } }
        : { kind: 'object', name: seg, template: path, children: new Map() };
      node.children.set(seg, child);
    }
    if (child.kind === 'param') throw new Error(`model: ${path} is both a parameter and an object`);
    if (child.kind === 'table') { node = child.entry; path += '{i}.'; } else node = child;
  }
  return node;
}

function tableOf(root: ObjDef, template: string): TableDef | undefined {
  // template ends with `{i}.`: the table is the node named by the segment before it.
  const parent = ensureObject(root, template.replace(/[^.]+\.\{i\}\.$/, ''));
  const name = /([^.]+)\.\{i\}\.$/.exec(template)?.[1];
  const t = name ? parent.children.get(name) : undefined;
  return t?.kind === 'table' ? t : undefined;
}

export function buildModel(family: Family, readData?: (file: string) => string): Model {
  const rootName = family.root.replace(/\.$/, '');
  const root: ObjDef = { kind: 'object', name: rootName, template: family.root, children: new Map() };
  const params = new Map<string, ParamDef>();
  const hidden = new RegExp(family.hiddenPattern);
  const canDeny = new Set(family.canDeny);
  for (const row of familyRows(family, readData)) {
    if (!row.path.startsWith(family.root)) throw new Error(`model ${family.name}: ${row.path} is outside ${family.root}`);
    if (row.kind === 'object') {
      ensureObject(root, row.path);
      if (row.path.endsWith('{i}.')) {
        const t = tableOf(root, row.path);
        if (t) t.writable = row.access === 'readWrite';
      }
      continue;
    }
    const dot = row.path.lastIndexOf('.');
    const parent = ensureObject(root, row.path.slice(0, dot + 1));
    const name = row.path.slice(dot + 1);
    const c = parseConstraints(row.constraints);
    const def: ParamDef = {
      kind: 'param', name, template: row.path, ...splitType(row.type), writable: row.access === 'readWrite',
      hidden: hidden.test(name), notify: family.notify[row.path] ?? 0, canDeny: canDeny.has(row.path),
      ...(row.default !== '' ? { default: row.default } : {}), ...c,
    };
    const derive = family.derive[row.path] ?? autoCounter(parent, name);
    if (derive) def.derive = derive;
    parent.children.set(name, def);
    params.set(row.path, def);
  }
  // Counters declared before their table in the CSV: resolve again now that every table exists.
  for (const def of params.values()) {
    if (def.derive) continue;
    const parent = ensureObject(root, def.template.slice(0, def.template.lastIndexOf('.') + 1));
    const d = autoCounter(parent, def.name);
    if (d) def.derive = d;
  }
  return { family, root, params, size: params.size };
}

/** `ClientNumberOfEntries` next to table `Client` counts its instances (TR-106 naming convention). */
function autoCounter(parent: ObjDef, name: string): `count:${string}` | undefined {
  const m = /^(\w+)NumberOfEntries$/.exec(name);
  if (!m) return undefined;
  return parent.children.get(m[1]!)?.kind === 'table' ? `count:${m[1]!}` : undefined;
}

/** The node for a template path (`…Client.{i}.Enable`, `…Client.`, `…Client.{i}.`). */
export function nodeAt(model: Model, template: string): SchemaNode | undefined {
  const segs = template.replace(/\.$/, '').split('.');
  if (segs[0] !== model.root.name) return undefined;
  let node: SchemaNode = model.root;
  for (const seg of segs.slice(1)) {
    if (node.kind === 'table') { if (seg !== '{i}') return undefined; node = node.entry; continue; }
    if (node.kind !== 'object') return undefined;
    const next: SchemaNode | undefined = node.children.get(seg);
    if (!next) return undefined;
    node = next;
  }
  return node;
}
