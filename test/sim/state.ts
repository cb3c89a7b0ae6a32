// One simulated phone's parameter state: a thin layer of overrides over the shared Model.
// A phone stores only (a) values that differ from the factory, (b) notification attributes set
// by the ACS, and (c) the instance numbers of its tables. Everything else — names, types,
// defaults, factory values (with `${serial}`-style placeholders) — is read from the family,
// which every phone of the family shares. (tr069-protocol.md §5.2–5.3 for paths and instances.)

import type { Clock } from '../../src/core/clock.ts';
import { deriveValue, type DeriveContext } from './models/derive.ts';
import type { Model, ObjDef, ParamDef, SchemaNode, TableDef } from './models/types.ts';
import { zeroOf } from './models/values.ts';

/** Per-phone values that fill the `${…}` placeholders of a family's factory values. */
export interface Identity {
  serial: string;
  oui: string;
  productClass: string;
  manufacturer: string;
  modelName: string;
  hardwareVersion: string;
  acsUrl: string;
  acsUsername: string;
  acsPassword: string;
  crUsername: string;
  crPassword: string;
  periodicInterval: string;
  ip: string;
  mac: string;
}

export type Resolved =
  | { kind: 'param'; def: ParamDef; path: string }
  | { kind: 'object'; def: ObjDef; path: string; writable: boolean }
  | { kind: 'table'; def: TableDef; path: string };

/** One item of a walk: a parameter, or an object/table/instance path ending in `.`. */
export interface WalkItem { path: string; param?: ParamDef; writable: boolean }

interface InstanceSet { ids: number[]; next: number }

const INSTANCE_RE = /^[1-9]\d*$/;
const factoryTablesCache = new WeakMap<Model, Map<string, readonly number[]>>();

/** Factory instance numbers per table path, computed once per model and shared (keys too). */
function factoryTables(model: Model): Map<string, readonly number[]> {
  let t = factoryTablesCache.get(model);
  if (!t) {
    const acc = new Map<string, number[]>();
    for (const inst of model.family.instances) {
      const m = /^(.*\.)(\d+)\.$/.exec(inst);
      if (!m) throw new Error(`model ${model.family.name}: instance path ${inst} must end with .<n>.`);
      const list = acc.get(m[1]!) ?? [];
      list.push(Number(m[2]));
      acc.set(m[1]!, list);
    }
    t = acc;
    factoryTablesCache.set(model, t);
  }
  return t;
}

export class PhoneState {
  readonly model: Model;
  readonly identity: Identity;
  /** Runtime facts used by derived values; the phone updates them. */
  readonly runtime: { bootAt: number; crUrl: string; softwareVersion: string };
  readonly #clock: Clock;
  #values = new Map<string, string>();
  #attrs = new Map<string, number>();
  #tables = new Map<string, InstanceSet>();

  constructor(model: Model, identity: Identity, clock: Clock, softwareVersion: string) {
    this.model = model;
    this.identity = identity;
    this.#clock = clock;
    this.runtime = { bootAt: clock.now(), crUrl: '', softwareVersion };
    this.#resetTables();
  }

  #resetTables(): void {
    const old = this.#tables;
    this.#tables = new Map();
    for (const [path, ids] of factoryTables(this.model)) {
      // Instance numbers are never reused, not even after a factory reset (§5.3).
      const next = Math.max(old.get(path)?.next ?? 0, Math.max(...ids) + 1);
      this.#tables.set(path, { ids: [...ids], next });
    }
  }

  /** Find what a path names: a parameter (no trailing dot), an object/instance or a table (trailing dot). '' = root. */
  resolve(path: string): Resolved | undefined {
    const root = this.model.root;
    if (path === '') return { kind: 'object', def: root, path: root.template, writable: false };
    const isObject = path.endsWith('.');
    const segs = (isObject ? path.slice(0, -1) : path).split('.');
    if (segs[0] !== root.name) return undefined;
    let node: SchemaNode = root;
    let cur = root.template;
    let inInstance = false;
    for (let i = 1; i < segs.length; i++) {
      const seg = segs[i]!;
      if (node.kind === 'table') {
        if (!INSTANCE_RE.test(seg) || !this.#tables.get(cur)?.ids.includes(Number(seg))) return undefined;
        inInstance = node.writable;
        node = node.entry;
        cur += `${seg}.`;
        continue;
      }
      if (node.kind !== 'object') return undefined;
      const child: SchemaNode | undefined = node.children.get(seg);
      if (!child) return undefined;
      inInstance = false;
      node = child;
      cur += child.kind === 'param' ? seg : `${seg}.`;
    }
    if (node.kind === 'param') return isObject ? undefined : { kind: 'param', def: node, path: cur };
    if (!isObject) return undefined;
    return node.kind === 'table' ? { kind: 'table', def: node, path: cur } : { kind: 'object', def: node, path: cur, writable: inInstance };
  }

  /** Canonical value of a parameter (hidden values included: this is the phone's own view). */
  get(path: string): string | undefined {
    const r = this.resolve(path);
    return r?.kind === 'param' ? this.valueOf(r.def, r.path) : undefined;
  }

  valueOf(def: ParamDef, path: string): string {
    if (def.derive) return deriveValue(def.derive, path, this.#deriveCtx());
    return this.#values.get(path) ?? this.factoryValue(path) ?? def.default ?? zeroOf(def);
  }

  /** The family's factory value for a concrete path with identity placeholders filled in. */
  factoryValue(path: string): string | undefined {
    const v = this.model.family.factory[path];
    if (v === undefined) return undefined;
    return v.replace(/\$\{(\w+)\}/g, (_, k: string) => (this.identity as unknown as Record<string, string>)[k] ?? '');
  }

  #deriveCtx(): DeriveContext {
    return {
      read: (p) => this.get(p) ?? '',
      instances: (t) => this.#tables.get(t)?.ids ?? [],
      now: () => this.#clock.now(),
      bootAt: this.runtime.bootAt,
      crUrl: this.runtime.crUrl,
      softwareVersion: this.runtime.softwareVersion,
    };
  }

  /** Store a canonical value (no checks: callers validate). Factory-equal values drop the override. */
  set(path: string, canonical: string): void {
    const r = this.resolve(path);
    if (r?.kind !== 'param') throw new Error(`not a parameter: ${path}`);
    const base = this.factoryValue(r.path) ?? r.def.default ?? zeroOf(r.def);
    if (canonical === base) this.#values.delete(r.path);
    else this.#values.set(r.path, canonical);
  }

  notification(path: string, def: ParamDef): number {
    return this.#attrs.get(path) ?? def.notify;
  }

  setNotification(path: string, def: ParamDef, value: number): void {
    if (value === def.notify) this.#attrs.delete(path);
    else this.#attrs.set(path, value);
  }

  /** Instance numbers of a concrete table path. */
  instances(tablePath: string): readonly number[] {
    return this.#tables.get(tablePath)?.ids ?? [];
  }

  /** AddObject: a new instance with default values; numbers only grow (§5.3). */
  addInstance(tablePath: string): number {
    let set = this.#tables.get(tablePath);
    if (!set) { set = { ids: [], next: 1 }; this.#tables.set(tablePath, set); }
    const n = set.next++;
    set.ids.push(n);
    return n;
  }

  /** DeleteObject: drop the instance, its overrides, attributes and nested tables. */
  deleteInstance(instancePath: string): void {
    const m = /^(.*\.)(\d+)\.$/.exec(instancePath);
    if (!m) throw new Error(`not an instance path: ${instancePath}`);
    const set = this.#tables.get(m[1]!);
    if (set) set.ids = set.ids.filter((id) => id !== Number(m[2]));
    for (const map of [this.#values, this.#attrs, this.#tables] as Map<string, unknown>[]) {
      for (const key of map.keys()) if (key.startsWith(instancePath)) map.delete(key);
    }
  }

  /**
   * Visit everything below a resolved object or table, depth first, in schema order. With
   * `nextLevel`, only the immediate children. Objects are reported with a trailing dot.
   */
  walk(from: Resolved, nextLevel: boolean, visit: (item: WalkItem) => void): void {
    if (from.kind === 'param') return;
    if (from.kind === 'table') {
      for (const id of this.instances(from.path)) {
        const p = `${from.path}${id}.`;
        visit({ path: p, writable: from.def.writable });
        if (!nextLevel) this.#walkObject(from.def.entry, p, visit);
      }
      return;
    }
    if (nextLevel) {
      for (const child of from.def.children.values()) visit(this.#item(child, from.path));
      return;
    }
    this.#walkObject(from.def, from.path, visit);
  }

  #item(node: SchemaNode, parentPath: string): WalkItem {
    if (node.kind === 'param') return { path: parentPath + node.name, param: node, writable: node.writable };
    return { path: `${parentPath}${node.name}.`, writable: node.kind === 'table' && node.writable };
  }

  #walkObject(obj: ObjDef, path: string, visit: (item: WalkItem) => void): void {
    for (const child of obj.children.values()) {
      visit(this.#item(child, path));
      if (child.kind === 'object') this.#walkObject(child, `${path}${child.name}.`, visit);
      else if (child.kind === 'table') this.walk({ kind: 'table', def: child, path: `${path}${child.name}.` }, false, visit);
    }
  }

  /** Back to the factory state (FactoryReset RPC): overrides and attributes gone, tables as shipped. */
  factoryReset(): void {
    this.#values.clear();
    this.#attrs.clear();
    this.#resetTables();
  }

  /** Sizes of what this phone stores (for memory reports). */
  stats(): { values: number; attributes: number; tables: number } {
    return { values: this.#values.size, attributes: this.#attrs.size, tables: this.#tables.size };
  }
}
