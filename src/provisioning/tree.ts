// The parameter tree of a device as the ACS knows it: names and Writable flags from
// GetParameterNames (tr069-protocol.md §3.1, §5.2–5.3), instance numbers per table, and the
// paths a firmware dropped (9005). A model's tree is discovered once and shared; each device gets
// a cheap clone that adds its own instances (AddObject) and drops.

import type { Tree } from './expand.ts';

const NUM = /^\d+$/;

const templates = new Map<string, string>();

/** `A.3.B.1.C` → `A.{i}.B.{i}.C` (memoised: the same paths recur for every phone of a model). */
export function templateOf(path: string): string {
  let t = templates.get(path);
  if (t === undefined) {
    t = path.split('.').map((s) => (NUM.test(s) ? '{i}' : s)).join('.');
    if (templates.size > 100_000) templates.clear();
    templates.set(path, t);
  }
  return t;
}

const variantCache = new Map<string, string[]>();

/**
 * The forms a CPE may use for `path` when it leaves out the instance number of single-instance
 * tables (`VoiceService.1.VoiceProfile.1.Line.1.X` → `VoiceService.VoiceProfile.Line.X`;
 * models/README.md misbehaviours, §11.3): every subset of the `.1.` segments dropped.
 */
export function omittedForms(path: string): string[] {
  let v = variantCache.get(path);
  if (v === undefined) {
    const parts = path.split('.');
    const ones = parts.map((x, i) => (x === '1' ? i : -1)).filter((i) => i >= 0).slice(0, 5);
    v = [];
    for (let mask = 1; mask < 1 << ones.length; mask++) {
      const drop = new Set(ones.filter((_i, b) => mask & (1 << b)));
      v.push(parts.filter((_x, i) => !drop.has(i)).join('.'));
    }
    if (variantCache.size > 100_000) variantCache.clear();
    variantCache.set(path, v);
  }
  return v;
}

export class ParamTree implements Tree {
  #templates: Map<string, boolean>;
  #instances: Map<string, Set<number>>;
  #absent = new Set<string>();
  #shared: boolean;

  constructor(templates = new Map<string, boolean>(), instances = new Map<string, Set<number>>(), shared = false) {
    this.#templates = templates;
    this.#instances = instances;
    this.#shared = shared;
  }

  static fromNames(names: readonly { name: string; writable: boolean }[]): ParamTree {
    const t = new ParamTree();
    for (const n of names) t.add(n.name, n.writable);
    return t;
  }

  get size(): number {
    return this.#templates.size;
  }

  /** A copy for one device: shares the name templates, owns its instances and drops. */
  clone(): ParamTree {
    const inst = new Map<string, Set<number>>();
    for (const [k, v] of this.#instances) inst.set(k, new Set(v));
    return new ParamTree(this.#templates, inst, true);
  }

  add(name: string, writable: boolean): void {
    if (name === '') return;
    const parts = name.split('.');
    for (let i = 1; i < parts.length; i++) {
      if (NUM.test(parts[i]!)) {
        const table = parts.slice(0, i).join('.') + '.';
        let set = this.#instances.get(table);
        if (!set) this.#instances.set(table, (set = new Set()));
        set.add(Number(parts[i]));
      }
    }
    const t = templateOf(name);
    if (!this.#templates.has(t)) {
      if (this.#shared) this.#templates = new Map(this.#templates); // copy on first write
      this.#shared = false;
      this.#templates.set(t, writable);
    }
    this.#absent.delete(name);
  }

  addInstance(table: string, n: number): void {
    this.add(`${table}${n}.`, true);
  }

  /** A path the device no longer has (9005 on a single-name request). */
  drop(path: string): void {
    this.#absent.add(path);
  }

  get dropped(): string[] {
    return [...this.#absent];
  }

  has(path: string): boolean {
    if (this.#absent.has(path)) return false;
    return this.#hasExact(path) || omittedForms(path).some((v) => this.#hasExact(v));
  }

  #hasExact(path: string): boolean {
    if (!this.#templates.has(templateOf(path))) return false;
    const parts = path.split('.');
    for (let i = 1; i < parts.length; i++) {
      if (NUM.test(parts[i]!) && !this.#instances.get(parts.slice(0, i).join('.') + '.')?.has(Number(parts[i]))) return false;
    }
    return true;
  }

  hasPrefix(prefix: string): boolean {
    for (const form of [prefix, ...omittedForms(prefix)]) {
      const t = templateOf(form);
      for (const k of this.#templates.keys()) if (k.startsWith(t)) return true;
    }
    return false;
  }

  writable(path: string): boolean | null {
    for (const form of [path, ...omittedForms(path)]) {
      const w = this.#templates.get(templateOf(form));
      if (w !== undefined) return w;
    }
    return null;
  }

  instances(table: string): number[] {
    const ids = [...(this.#instances.get(table) ?? [])].sort((a, b) => a - b);
    // A single-instance table reported without its number (`…VoiceProfile.Line.`): instance 1.
    if (ids.length === 0 && omittedForms(table.slice(0, -1)).some((f) => this.#templates.has(`${templateOf(f)}.`))) return [1];
    return ids;
  }

  /** Template names (for readiness reports). */
  templates(): [string, boolean][] {
    return [...this.#templates];
  }

  /** Serialisable form (the model cache in the readiness report). */
  toJSON(): TreeJson {
    return { templates: [...this.#templates], instances: [...this.#instances].map(([t, ids]) => [t, [...ids]]) };
  }

  static fromJSON(j: TreeJson): ParamTree {
    return new ParamTree(new Map(j.templates), new Map(j.instances.map(([t, ids]) => [t, new Set(ids)])));
  }
}

export interface TreeJson {
  templates: [string, boolean][];
  instances: [string, number[]][];
}
