// One simulated phone's parameter state: a thin layer of overrides over the shared Model.
// A phone stores only (a) values that differ from the factory, (b) notification attributes set
// by the ACS, and (c) the instance numbers of its tables. Everything else — names, types,
// defaults, factory values (with `${serial}`-style placeholders) — is read from the family,
// which every phone of the family shares. (tr069-protocol.md §5.2–5.3 for paths and instances.)

import type { Clock } from '../../src/core/clock.ts';
import { deriveValue, type DeriveContext, type NetFacts } from './models/derive.ts';
import type { SitePbx } from './pbx.ts';
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

interface InstanceSet { ids: readonly number[]; next: number }

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

/** The phone's runtime facts that derived values read (the phone updates them). */
export interface Runtime {
  bootAt: number;
  crUrl: string;
  softwareVersion: string;
  net: NetFacts;
  pbx?: SitePbx | undefined;
}

export class PhoneState {
  readonly model: Model;
  readonly identity: Identity;
  /** Runtime facts used by derived values; the phone updates them. */
  readonly runtime: Runtime;
  readonly #clock: Clock;
  #values = new Map<string, string>();
  #attrs = new Map<string, number>();
  /**
   * Tables whose instances differ from the factory (or that grew once: numbers are never reused,
   * §5.3). Untouched tables read the family's shared factory list, so an idle phone stores none.
   */
  #tables = new Map<string, InstanceSet>();
  /** Parameter templates that no longer exist (quirk droppedParameterAfterUpgrade). */
  #dropped: Set<string> | undefined;

  constructor(model: Model, identity: Identity, clock: Clock, softwareVersion: string) {
    this.model = model;
    this.identity = identity;
    this.#clock = clock;
    this.runtime = {
      bootAt: clock.now(), crUrl: '', softwareVersion,
      net: { ip: identity.ip, mask: '255.255.255.0', gateway: '', dns: '', mac: identity.mac, udpCr: '', natDetected: false },
    };
  }

  /** A firmware upgrade removed this parameter (template path): it resolves to nothing from now on. */
  dropParameter(template: string): void {
    (this.#dropped ??= new Set()).add(template);
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
        if (!INSTANCE_RE.test(seg) || !this.instances(cur).includes(Number(seg))) return undefined;
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
    if (node.kind === 'param') return isObject || this.#dropped?.has(node.template) ? undefined : { kind: 'param', def: node, path: cur };
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
    const rt = this.runtime;
    const voice = this.model.family.voice;
    return {
      read: (p) => this.get(p) ?? '',
      instances: (t) => this.instances(t),
      now: () => this.#clock.now(),
      bootAt: rt.bootAt, crUrl: rt.crUrl, softwareVersion: rt.softwareVersion, net: rt.net, pbx: rt.pbx,
      globalSip: voice.kind === 'tr104i1' ? voice.globalSip : undefined,
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

  /** Has the ACS set any notification attribute? (cheap guard before watching values) */
  get hasAttributes(): boolean {
    return this.#attrs.size > 0;
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
    return this.#tables.get(tablePath)?.ids ?? factoryTables(this.model).get(tablePath) ?? [];
  }

  #touch(tablePath: string): InstanceSet {
    let set = this.#tables.get(tablePath);
    if (!set) {
      const ids = factoryTables(this.model).get(tablePath) ?? [];
      set = { ids, next: ids.length > 0 ? Math.max(...ids) + 1 : 1 };
      this.#tables.set(tablePath, set);
    }
    return set;
  }

  /** AddObject: a new instance with default values; numbers only grow (§5.3). */
  addInstance(tablePath: string): number {
    const set = this.#touch(tablePath);
    const n = set.next++;
    set.ids = [...set.ids, n]; // never mutate: the list may be the family's shared factory list
    return n;
  }

  /** DeleteObject: drop the instance, its overrides, attributes and nested tables. */
  deleteInstance(instancePath: string): void {
    const m = /^(.*\.)(\d+)\.$/.exec(instancePath);
    if (!m) throw new Error(`not an instance path: ${instancePath}`);
    const set = this.#touch(m[1]!);
    set.ids = set.ids.filter((id) => id !== Number(m[2]));
    this.restoreInstance(instancePath);
    for (const key of this.#tables.keys()) if (key.startsWith(instancePath)) this.#tables.get(key)!.ids = [];
  }

  /** Back to defaults below an instance, which stays (fixed tables: Aastra's DeleteObject). */
  restoreInstance(instancePath: string): void {
    for (const map of [this.#values, this.#attrs] as Map<string, unknown>[]) {
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
    this.#dropped = undefined;
    // Instance numbers are never reused, not even after a factory reset (§5.3): keep `next`.
    for (const [path, set] of this.#tables) set.ids = factoryTables(this.model).get(path) ?? [];
  }

  /** Has this value been set (by the ACS or locally) to something else than the factory value? */
  isOverridden(path: string): boolean {
    return this.#values.has(path);
  }

  /** Paths of the values this phone holds that differ from the factory (ACS or local changes). */
  overriddenPaths(): IterableIterator<string> {
    return this.#values.keys();
  }

  /** Sizes of what this phone stores (for memory reports). */
  stats(): { values: number; attributes: number; tables: number } {
    return { values: this.#values.size, attributes: this.#attrs.size, tables: this.#tables.size };
  }
}
