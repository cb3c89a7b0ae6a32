// The planner: desired values vs what the device reports → the minimal RPCs, one at a time, in
// one CWMP session (DESIGN boot path step 5). Pure: it is handed what the store knows and the
// CPE's answers, and returns requests and the effects to store.
//
//   methods  GetRPCMethods            (first device of a model only)
//   discover GetParameterNames        (first device of a model, per subtree, §11.3)
//   objects  AddObject                (missing line instances, §5.3)
//   read     GetParameterValues       (values not known since the last bootstrap / verification)
//   write    SetParameterValues       (batched, with a ParameterKey; faults isolated per parameter)
//   notify   SetParameterAttributes   (active notification on critical values)
//   verify   GetParameterValues       (read back what was written; §11.3 "never rely on ParameterKey")
//   reboot   Reboot                   (only when a write said Status 1 and did not take, §11.3)

import type { AcsRequest, CpeResponse, Fault, ParameterInfo, ParameterValue } from '../protocols/cwmp/types.ts';
import { BatchQueue } from './batches.ts';
import type { Values } from './content.ts';
import { expand, sameValue, toWire, type DesiredParam, type Expansion } from './expand.ts';
import type { ModelProfile } from './profiles.ts';
import { ParamTree, omittedForms } from './tree.ts';
import { resultOf, type PlanResult } from './result.ts';
import { applyFault, applyResponse } from './apply.ts';

export interface PlannerOptions {
  root: string;
  /** Candidate profiles in preference order (vendor first, then standard). */
  profiles: readonly ModelProfile[];
  /** The model's tree when already discovered (shared clone), else null → discover. */
  tree: ParamTree | null;
  rpcMethods: readonly string[] | null;
  values: Values;
  /** Reported values still trusted (since the last bootstrap and within the verification period). */
  known: Map<string, string>;
  /** Paths known to have active notification since the last bootstrap. */
  notified: ReadonlySet<string>;
  /** Hidden values we set since the last bootstrap (they read back empty, §5.1). */
  secretsSet: ReadonlyMap<string, string>;
  /** Correct values that differ from the desired ones (enforce zone, or a change the site asked for). */
  writeDrift: boolean;
  boolDigits: boolean;
  parameterKey: string;
  verify: boolean;
  activeNotification: boolean;
  maxBatch: number;
}

export interface Effects {
  values: ParameterValue[];
  names: ParameterInfo[];
  notifications: { name: string; notification: number }[];
  secrets: { path: string; value: string }[];
  faults: { method: string; code: number; message: string; detail: unknown }[];
}

type Phase = 'methods' | 'discover' | 'objects' | 'read' | 'write' | 'notify' | 'verify' | 'reboot' | 'done';
const emptyEffects = (): Effects => ({ values: [], names: [], notifications: [], secrets: [], faults: [] });

export class Planner {
  readonly o: PlannerOptions;
  phase: Phase;
  tree: ParamTree;
  profile: ModelProfile | null = null;
  rpcMethods: readonly string[] | null;
  boolDigits: boolean;
  exp: Expansion = { params: [], missing: [], unsupported: [] };
  discovered = false;
  /** The tree as discovery found it (before this device's AddObjects): the model's tree. */
  baseTree: ParamTree | null = null;
  /** Instances this plan created. */
  added = 0;
  readonly failed = new Map<string, { code: number; message: string }>();
  readonly written = new Set<string>();
  readonly driftReported = new Set<string>();
  readonly notifyRefused = new Set<string>();
  addRefused: { table: string; reason: string } | null = null;
  rebootRequested = false;
  #discover: string[] = [];
  #gpv = new BatchQueue<string>(100);
  #spv = new BatchQueue<DesiredParam>(100);
  #spa = new BatchQueue<string>(100);
  #status1 = false;
  #rewritten = false;
  #verifying = false;
  #effects = emptyEffects();

  constructor(o: PlannerOptions) {
    this.o = o;
    this.rpcMethods = o.rpcMethods;
    this.boolDigits = o.boolDigits;
    this.tree = o.tree ?? new ParamTree();
    this.phase = o.tree ? 'objects' : 'methods';
    if (o.tree) this.profile = selectProfile(o.profiles, this.tree);
    this.#gpv = new BatchQueue(o.maxBatch);
    this.#spv = new BatchQueue(o.maxBatch);
    this.#spa = new BatchQueue(o.maxBatch);
  }

  /** The reported value of a path, also when the CPE named it without single-instance numbers. */
  have(path: string): string | undefined {
    const k = this.o.known;
    const v = k.get(path);
    if (v !== undefined) return v;
    for (const f of omittedForms(path)) { const x = k.get(f); if (x !== undefined) return x; }
    return undefined;
  }

  /** Effects of the answers applied since the last call (for the caller to store). */
  takeEffects(): Effects {
    const e = this.#effects;
    this.#effects = emptyEffects();
    return e;
  }

  result(): PlanResult {
    return resultOf(this);
  }

  /** The next request, or null when the plan is finished. */
  next(): AcsRequest | null {
    for (let guard = 0; guard < 20; guard++) {
      const r = this.#step();
      if (r !== 'continue') return r;
    }
    this.phase = 'done';
    return null;
  }

  #step(): AcsRequest | null | 'continue' {
    switch (this.phase) {
      case 'methods':
        this.phase = 'discover';
        if (this.rpcMethods === null) return { method: 'GetRPCMethods' };
        return 'continue';
      case 'discover':
        return this.#stepDiscover();
      case 'objects':
        return this.#stepObjects();
      case 'read':
        return this.#sendGpv() ?? this.#enter('write');
      case 'write': {
        const b = this.#spv.take();
        if (b) return { method: 'SetParameterValues', parameterKey: this.o.parameterKey, parameterList: b.map((p) => ({ name: p.path, value: p.wire, type: p.type })) };
        return this.#enter('notify');
      }
      case 'notify': {
        const b = this.#spa.take();
        if (b) return { method: 'SetParameterAttributes', parameterList: b.map((name) => ({ name, notificationChange: true, notification: 2, accessListChange: false, accessList: [] })) };
        return this.#enter('verify');
      }
      case 'verify':
        return this.#sendGpv() ?? this.#afterVerify();
      case 'reboot':
        this.phase = 'done';
        this.rebootRequested = true;
        return { method: 'Reboot', commandKey: 'outpost-apply' };
      case 'done':
        return null;
    }
  }

  #stepDiscover(): AcsRequest | 'continue' {
    if (!this.discovered) {
      this.discovered = true;
      const seen = new Set<string>();
      for (const p of this.o.profiles) for (const d of p.discover) if (p.root === this.o.root && !seen.has(d)) seen.add(d);
      this.#discover = [...seen];
    }
    const path = this.#discover.shift();
    if (path) return { method: 'GetParameterNames', parameterPath: path, nextLevel: false };
    this.profile = selectProfile(this.o.profiles, this.tree);
    this.baseTree = this.tree.clone();
    this.phase = 'objects';
    return 'continue';
  }

  #stepObjects(): AcsRequest | 'continue' {
    if (!this.profile) {
      this.phase = 'done';
      return 'continue';
    }
    this.exp = expand(this.profile, this.tree, this.o.values, { boolDigits: this.boolDigits });
    const canAdd = this.rpcMethods === null || this.rpcMethods.includes('AddObject');
    const missing = this.exp.missing[0];
    if (missing && !this.addRefused) {
      if (canAdd) return { method: 'AddObject', objectName: missing.table, parameterKey: this.o.parameterKey };
      this.addRefused = { table: missing.table, reason: 'the model does not offer AddObject (GetRPCMethods)' };
    }
    return this.#enter('read');
  }

  /** Enter a phase and fill its queue. */
  #enter(phase: Phase): 'continue' {
    this.phase = phase;
    if (phase === 'read') {
      // Line status is read in the verify step (after any write that may change it).
      const unknown = this.exp.params.filter((p) => !p.secret && !isStatus(p) && this.have(p.path) === undefined);
      this.#gpv.push(unknown.map((p) => p.path));
    } else if (phase === 'write') {
      this.#spv.push(this.#diffs());
    } else if (phase === 'notify' && this.o.activeNotification) {
      this.#spa.push(this.notifyPaths().filter((path) => !this.o.notified.has(path)));
    } else if (phase === 'verify') {
      this.#verifying = true;
      // Read back what was written, and the line status (a fact, not a setting: always fresh).
      const check = this.exp.params.filter((p) => !p.secret && ((this.o.verify && this.written.has(p.path)) || isStatus(p)));
      if (check.length > 0) this.#gpv.push(check.map((p) => p.path));
    }
    return 'continue';
  }

  /**
   * Paths that should have active notification: critical values, and with STUN on the
   * UDPConnectionRequestAddress (TR-069 Annex G.2.1, tr069-protocol.md §8.5: the ACS learns a new
   * NAT binding from the `4 VALUE CHANGE` Inform it brings).
   */
  notifyPaths(): string[] {
    const out = this.exp.params.filter((p) => p.critical && !p.secret && !p.checkOnly && !this.failed.has(p.path)).map((p) => p.path);
    const udp = `${this.o.root}ManagementServer.UDPConnectionRequestAddress`;
    if (this.profile && this.o.values['stun.enable'] === 'true' && this.tree.has(udp)) out.push(udp);
    return out;
  }

  #diffs(): DesiredParam[] {
    const out: DesiredParam[] = [];
    for (const p of this.exp.params) {
      if (p.checkOnly || this.failed.has(p.path)) continue;
      if (p.secret) {
        if (this.o.secretsSet.get(p.path) !== p.want) out.push(p);
        continue;
      }
      const have = this.have(p.path);
      if (have !== undefined && sameValue(p, have)) continue;
      if (have !== undefined && !this.o.writeDrift) {
        this.driftReported.add(p.path); // report-only zone: leave it, say why
        continue;
      }
      out.push(p);
    }
    return out;
  }

  #sendGpv(): AcsRequest | null {
    const b = this.#gpv.take();
    return b ? { method: 'GetParameterValues', parameterNames: b } : null;
  }

  #afterVerify(): 'continue' {
    const wrong = this.exp.params.filter((p) => this.written.has(p.path) && !p.secret && this.have(p.path) !== undefined && !sameValue(p, this.have(p.path)!));
    if (wrong.length === 0) return this.#finish();
    if (this.#status1) {
      this.phase = 'reboot'; // §11.3: Status 1 without a reboot; the change matters now
      return 'continue';
    }
    if (!this.#rewritten) {
      this.#rewritten = true;
      this.#spv.push(wrong);
      this.phase = 'write';
      return 'continue';
    }
    for (const p of wrong) this.failed.set(p.path, { code: 0, message: `value does not stick: wrote ${JSON.stringify(p.wire)}, reads ${JSON.stringify(this.have(p.path))}` });
    return this.#finish();
  }

  #finish(): 'continue' {
    this.phase = 'done';
    return 'continue';
  }

  /** Apply the CPE's answer to the request we sent. */
  apply(sent: AcsRequest, answer: CpeResponse | Fault): void {
    if (answer.method === 'Fault') {
      this.#effects.faults.push({ method: sent.method, code: answer.code, message: answer.string || answer.faultString,
        detail: answer.setParameterValuesFaults.length > 0 ? { parameters: answer.setParameterValuesFaults } : null });
      applyFault(this, sent, answer);
      return;
    }
    applyResponse(this, sent, answer);
  }

  // ---- hooks used by apply-*.ts (kept here so the state stays private to the module pair) ----
  get effects(): Effects { return this.#effects; }
  get queues(): { gpv: BatchQueue<string>; spv: BatchQueue<DesiredParam>; spa: BatchQueue<string> } {
    return { gpv: this.#gpv, spv: this.#spv, spa: this.#spa };
  }
  get verifying(): boolean { return this.#verifying; }
  noteStatus1(): void { this.#status1 = true; }

  /** Re-wire the pending writes after learning the boolean literal (§11.3 BOOLEAN_LITERAL). */
  useBoolDigits(): void {
    this.boolDigits = true;
    for (const p of this.exp.params) if (p.type === 'xsd:boolean') p.wire = toWire(p.want, p.type, p.format, { boolDigits: true });
  }
}

const isStatus = (p: DesiredParam): boolean => p.checkOnly && p.intent.endsWith('.status');

/** The first candidate profile whose voice model signature the device has. */
export function selectProfile(profiles: readonly ModelProfile[], tree: ParamTree): ModelProfile | null {
  return profiles.find((p) => tree.hasPrefix(p.signature)) ?? null;
}

