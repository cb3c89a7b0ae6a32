// Provisioning content (templates, zones, positions, assignment rules) as the site holds it now,
// from the local YAML directory or a verified central bundle. Replaced as a whole, in one
// transaction, never merged (DESIGN: "applies a bundle in one transaction or not at all").
// Secret values (intent names ending in password/secret) are sealed with store.secrets inside the
// stored documents and opened only when the content is loaded for planning.
//
// The content type is defined by src/provisioning/content.ts (the store imports only core, so
// this file names the shape it needs structurally; ProvisioningContent fits it).

import { createHash } from 'node:crypto';
import type { Store } from './index.ts';
import type { Statement } from './db.ts';
import { prep } from './db.ts';

type Values = Record<string, string>;
interface Item { values?: Values }
/** Structural view of src/provisioning ProvisioningContent. */
export interface StoredContent {
  templates: Record<string, Item>;
  zones: Record<string, Item>;
  positions: Record<string, Item>;
  rules: readonly object[];
}

export interface ContentSource {
  kind: 'local' | 'bundle';
  /** Bundle version (monotonic, from central); for local content the caller's choice (e.g. 0). */
  version: number;
}

export interface ContentInfo {
  source: ContentSource | null;
  /** Bumped on every replacement: the ACS re-plans devices when it changes. */
  revision: number;
  appliedAt: string | null;
  /** SHA-256 of the content as given (secrets included, before sealing): detects a no-op reload. */
  hash: string | null;
}

const SECRET_INTENT = /(password|secret)$/i;
type Kind = 'template' | 'zone' | 'position' | 'rule';

/** Canonical JSON (sorted keys) so equal content hashes equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function contentHash(content: StoredContent): string {
  return createHash('sha256').update(canonical(content)).digest('hex');
}

export class ProvisioningRepo {
  readonly #store: Store;

  /** Prepared once per connection and SQL text (store/db.ts prep). */
  #st(sql: string): Statement {
    return prep(this.#store.db, sql);
  }

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Replace all templates, zones, positions and rules in one transaction (call inside
   * store.commit). Position bindings of positions that no longer exist are dropped.
   * Returns the new revision.
   */
  replaceContent(content: StoredContent, source: ContentSource): number {
    const db = this.#store.db;
    const run = db.transaction(() => {
      this.#st('DELETE FROM prov_items').run();
      const ins = this.#st('INSERT INTO prov_items (kind, id, seq, doc) VALUES (?, ?, ?, ?)');
      const put = (kind: Kind, items: [string, object][]) => items.forEach(([id, doc], seq) => ins.run(kind, id, seq, JSON.stringify(this.#seal(doc))));
      put('template', Object.entries(content.templates));
      put('zone', Object.entries(content.zones));
      put('position', Object.entries(content.positions));
      put('rule', content.rules.map((r, i) => [String(i).padStart(6, '0'), r]));
      this.#st('DELETE FROM prov_bindings WHERE position_id NOT IN (SELECT id FROM prov_items WHERE kind = \'position\')').run();
      const revision = this.info().revision + 1;
      const meta = this.#st('INSERT INTO prov_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
      meta.run('source_kind', source.kind);
      meta.run('source_version', String(source.version));
      meta.run('revision', String(revision));
      meta.run('applied_at', new Date(this.#store.clock.now()).toISOString());
      meta.run('hash', contentHash(content));
      return revision;
    });
    return run();
  }

  info(): ContentInfo {
    const rows = this.#st('SELECT key, value FROM prov_meta').all() as { key: string; value: string }[];
    const m = new Map(rows.map((r) => [r.key, r.value]));
    const kind = m.get('source_kind');
    return {
      source: kind === 'local' || kind === 'bundle' ? { kind, version: Number(m.get('source_version') ?? 0) } : null,
      revision: Number(m.get('revision') ?? 0),
      appliedAt: m.get('applied_at') ?? null,
      hash: m.get('hash') ?? null,
    };
  }

  /** The stored content with secrets opened (for planning; never hand this to the API as is). */
  loadContent(): StoredContent {
    const rows = this.#st('SELECT kind, id, doc FROM prov_items ORDER BY kind, seq').all() as { kind: Kind; id: string; doc: string }[];
    const out: { templates: Record<string, Item>; zones: Record<string, Item>; positions: Record<string, Item>; rules: object[] } =
      { templates: {}, zones: {}, positions: {}, rules: [] };
    for (const r of rows) {
      const doc = this.#open(JSON.parse(r.doc) as Item);
      if (r.kind === 'rule') out.rules.push(doc);
      else out[`${r.kind}s`][r.id] = doc;
    }
    return out;
  }

  #seal<T extends Item>(doc: T): T {
    if (!doc.values) return doc;
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc.values)) values[k] = SECRET_INTENT.test(k) ? { sealed: this.#store.secrets.seal(v) } : v;
    return { ...doc, values };
  }

  #open<T extends Item>(doc: T): T {
    if (!doc.values) return doc;
    const values: Values = {};
    for (const [k, v] of Object.entries(doc.values as Record<string, unknown>)) {
      values[k] = v && typeof v === 'object' && 'sealed' in v ? this.#store.secrets.open(String((v as { sealed: unknown }).sealed)) : String(v);
    }
    return { ...doc, values };
  }
}
