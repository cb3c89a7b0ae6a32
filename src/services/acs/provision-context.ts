// What the provisioning hook needs besides the engine: its repositories, the content as the
// site holds it now (reloaded when its revision changes), and the discovered trees of the
// models seen so far (from their readiness reports). One per Engine.

import type { ProvisioningConfig } from '../../core/config/provisioning.ts';
import type { Clock } from '../../core/clock.ts';
import type { ProvisioningContent } from '../../provisioning/content.ts';
import type { ModelProfile } from '../../provisioning/profiles.ts';
import { candidateProfiles } from '../../provisioning/profiles-vendor.ts';
import type { ReadinessReport } from '../../provisioning/readiness.ts';
import { ParamTree } from '../../provisioning/tree.ts';
import { LeaseRepo } from '../../store/leases.ts';
import { ProvisioningRepo } from '../../store/provisioning.ts';
import { ProvisioningDeviceRepo } from '../../store/provisioning-devices.ts';
import { ProvisioningInventoryRepo, ReadinessRepo } from '../../store/provisioning-inventory.ts';
import type { Engine } from './engine.ts';

export interface ModelCache {
  tree: ParamTree;
  rpcMethods: readonly string[] | null;
  boolDigits: boolean;
  profile: string | null;
}

export class ProvisioningContext {
  readonly cfg: ProvisioningConfig;
  readonly content: ProvisioningRepo;
  readonly devices: ProvisioningDeviceRepo;
  readonly inventory: ProvisioningInventoryRepo;
  readonly readiness: ReadinessRepo;
  readonly leases: LeaseRepo;
  /** Sessions whose plan has not finished, by session id (to record interruptions). */
  readonly open = new Map<string, unknown>();
  readonly #models = new Map<string, ModelCache | null>();
  #cached: { revision: number; content: ProvisioningContent } | null = null;

  constructor(e: Engine) {
    this.cfg = e.root.provisioning;
    this.content = new ProvisioningRepo(e.store);
    this.devices = new ProvisioningDeviceRepo(e.store);
    this.inventory = new ProvisioningInventoryRepo(e.store);
    this.readiness = new ReadinessRepo(e.store);
    this.leases = new LeaseRepo(e.store);
  }

  /** The current content (secrets opened), cached until the revision changes. */
  current(): { revision: number; content: ProvisioningContent } {
    const revision = this.content.info().revision;
    if (this.#cached?.revision !== revision) {
      // Written by ProvisioningRepo.replaceContent from a checked ProvisioningContent.
      this.#cached = { revision, content: this.content.loadContent() as unknown as ProvisioningContent };
    }
    return this.#cached;
  }

  profilesFor(root: string, oui: string): ModelProfile[] {
    return candidateProfiles(root, oui);
  }

  readonly #reports = new Map<string, ReadinessReport | null>();

  /** The readiness report of a model, parsed once (it carries the discovered tree). */
  report(key: string): ReadinessReport | null {
    if (!this.#reports.has(key)) this.#reports.set(key, this.readiness.get<ReadinessReport>(key));
    return this.#reports.get(key) ?? null;
  }

  /** Store a report (inside store.commit) and keep it cached. */
  saveReport(key: string, r: ReadinessReport, at: string): void {
    this.readiness.put(key, r.firstDevice, r, at);
    this.#reports.set(key, r);
  }

  model(key: string): ModelCache | null {
    if (!this.#models.has(key)) {
      const r = this.report(key);
      this.#models.set(key, r?.tree ? {
        tree: ParamTree.fromJSON(r.tree), rpcMethods: r.rpcMethods, boolDigits: r.checks.booleanLiteral.detail === '1/0', profile: r.profile,
      } : null);
    }
    return this.#models.get(key) ?? null;
  }

  rememberModel(key: string, m: ModelCache): void {
    this.#models.set(key, m);
  }

  readonly #discovering = new Map<string, { done: Promise<void>; release: () => void }>();

  /**
   * A boot storm brings hundreds of phones of a new model at once: one discovers the model, the
   * others wait for it (at most `ms`) and reuse its tree. Resolves true when the caller should
   * discover (it then holds the claim until releaseDiscovery).
   */
  async claimDiscovery(key: string, clock: Clock, ms: number): Promise<boolean> {
    for (let round = 0; round < 2; round++) {
      if (this.model(key)) return false;
      const busy = this.#discovering.get(key);
      if (!busy) {
        let release!: () => void;
        const done = new Promise<void>((r) => { release = r; });
        this.#discovering.set(key, { done, release: () => { this.#discovering.delete(key); release(); } });
        return true;
      }
      await new Promise<void>((r) => { const t = clock.setTimeout(r, ms); void busy.done.then(() => { t.cancel(); r(); }); });
    }
    return this.model(key) === null;
  }

  releaseDiscovery(key: string): void {
    this.#discovering.get(key)?.release();
  }
}

const contexts = new WeakMap<Engine, ProvisioningContext>();

export function provisioningContext(e: Engine): ProvisioningContext {
  let c = contexts.get(e);
  if (!c) contexts.set(e, (c = new ProvisioningContext(e)));
  return c;
}
