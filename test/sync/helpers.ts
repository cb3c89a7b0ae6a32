// Shared pieces of the sync tests: keys and bundles, a reference central on loopback with a
// temporary bundle directory, and a site booted from a config string with a `sync` section.
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createApp, type App } from '../../src/app.ts';
import { loadConfigFile } from '../../src/core/config/load.ts';
import { boxSecretOpener } from '../../src/cli/box-secrets.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  buildBundle, generateKeyPair, parsePrivateKey, serializeBundle, signBundle, type KeyPair,
} from '../../src/protocols/bundle/index.ts';
import { startCentral, tokenHash, type RunningCentral } from '../../src/central/index.ts';
import { parseCentralConfig } from '../../src/central/config.ts';
import { memoryLogger } from '../../src/core/log.ts';
import type { Clock } from '../../src/core/clock.ts';
import { buildFromDir } from '../../src/cli/bundle-build.ts';
import { parseProvisioningDocuments } from '../../src/provisioning/index.ts';

/** The site id test/helpers/outpost.ts gives every test site. */
export const SITE = 'test';
export const FIXTURE = new URL('./fixtures/bundle-src/', import.meta.url).pathname;
const DAY = 86_400_000;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `outpost-sync-${prefix}-`));
}

export interface BundleSpec {
  version: number;
  site?: string;
  issuedAt?: number;
  expiresAt?: number;
  parts?: Record<string, string>;
  keys: KeyPair;
}

export const TEMPLATES = (proxy: string) => `templates:\n  base:\n    values:\n      sip.proxy: ${proxy}\n      sip.transport: udp\n`;
export const ZONES = 'zones:\n  plant:\n    template: base\nrules:\n  - name: all\n    match: { subnet: 0.0.0.0/0 }\n    zone: plant\n';

/** A signed bundle with a small valid provisioning content (or the given parts). */
export function makeBundle(s: BundleSpec): Buffer {
  const now = s.issuedAt ?? Date.now();
  const doc = buildBundle({ site: s.site ?? SITE, version: s.version, issuedAt: new Date(now), expiresAt: new Date(s.expiresAt ?? now + 30 * DAY) },
    s.parts ?? { 'templates.yaml': TEMPLATES(`pbx-v${s.version}.example`), 'zones.yaml': ZONES });
  return serializeBundle(signBundle(doc, parsePrivateKey(s.keys.privateKeyPem)));
}

/** The fixture directory (templates, zones, positions, rules, firmware catalogue) with a firmware image of `fwBytes`. */
export function fixtureBundle(keys: KeyPair, o: { version: number; site?: string; fwBytes?: number; now?: Date; extraParts?: Record<string, string> }): { bundle: Buffer; image: Buffer; dir: string } {
  const dir = tempDir('src');
  cpSync(FIXTURE, dir, { recursive: true });
  mkdirSync(join(dir, 'firmware'), { recursive: true });
  const image = randomBytes(o.fwBytes ?? 200_000);
  writeFileSync(join(dir, 'firmware', 'sim-phone-2.0.bin'), image);
  for (const [n, t] of Object.entries(o.extraParts ?? {})) { mkdirSync(join(dir, n, '..'), { recursive: true }); writeFileSync(join(dir, n), t); }
  const doc = buildFromDir(dir, { site: o.site ?? SITE, version: o.version, now: o.now ?? new Date(), parse: parseProvisioningDocuments });
  return { bundle: serializeBundle(signBundle(doc, parsePrivateKey(keys.privateKeyPem))), image, dir };
}

export interface TestCentral extends RunningCentral {
  dir: string;
  siteToken: string;
  adminToken: string;
  publish(bundle: Buffer, site?: string): void;
  addFirmware(name: string, data: Buffer): void;
  admin<T>(path: string): Promise<T>;
  stopAll(): Promise<void>;
}

export async function startTestCentral(o: { clock?: Clock; sites?: string[]; port?: number; siteToken?: string; tls?: { cert: string; key: string } } = {}): Promise<TestCentral> {
  const dir = tempDir('central');
  mkdirSync(join(dir, 'bundles', 'firmware'), { recursive: true });
  const siteToken = o.siteToken ?? randomBytes(24).toString('base64url');
  const adminToken = randomBytes(24).toString('base64url');
  const sites = (o.sites ?? [SITE]).map((id) => `  - { id: ${id}, tokenSha256: ${tokenHash(siteToken)} }`).join('\n');
  const cfg = parseCentralConfig(`listen: { host: 127.0.0.1, port: ${o.port ?? 0} }\nbundleDir: bundles\ndatabase: central.db\nadminTokenSha256: ${tokenHash(adminToken)}\n${o.tls ? `tls: { cert: ${JSON.stringify(o.tls.cert)}, key: ${JSON.stringify(o.tls.key)} }\n` : ''}sites:\n${sites}\n`, 'central test config', dir);
  const c = await startCentral(cfg, { log: memoryLogger('warn'), ...(o.clock ? { clock: o.clock } : {}) });
  return {
    ...c, dir, siteToken, adminToken,
    publish(bundle, site = SITE) {
      writeFileSync(join(dir, 'bundles', `${site}.bundle.json.tmp`), bundle);
      cpSync(join(dir, 'bundles', `${site}.bundle.json.tmp`), join(dir, 'bundles', `${site}.bundle.json`));
    },
    addFirmware(name, data) { writeFileSync(join(dir, 'bundles', 'firmware', name), data); },
    async admin<T>(path: string) {
      const r = await fetch(new URL(path, c.url), { headers: { authorization: `Bearer ${adminToken}` } });
      return (await r.json()) as T;
    },
    async stopAll() { await c.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** The `sync:` section for startOutpost({ extra }). */
export function syncSection(o: { url?: string; token?: string; ca?: string; publicKey: string; initialBundle?: string; interval?: string; more?: string }): string {
  return `sync:
${o.url ? `  central: { url: ${JSON.stringify(o.url)}, token: ${JSON.stringify(o.token)}, timeout: 2s${o.ca ? `, ca: ${JSON.stringify(o.ca)}` : ''} }\n` : ''}  publicKey: ${o.publicKey}
${o.initialBundle ? `  initialBundle: ${JSON.stringify(o.initialBundle)}\n` : ''}  interval: ${o.interval ?? '1h'}
  retry: { min: 20ms, max: 200ms }
${o.more ?? ''}`;
}

/** Poll until fn() is truthy (real time; for conditions reached through sockets). */
export async function waitFor<T>(fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export { generateKeyPair };

/** A loopback port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface BootedSite {
  app: App;
  acsUrl: string;
  apiUrl: string;
  ca: string | null;
  api<T = unknown>(method: string, path: string): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** Boot the composed app from a config file (what `outpost serve --config FILE` does). */
export async function bootSite(file: string): Promise<BootedSite> {
  const app = createApp({ config: loadConfigFile(file, { openSecret: boxSecretOpener() }), log: memoryLogger('warn') });
  let acs = { url: '', caFile: null as string | null };
  let api = { url: '', tokenFile: '' };
  app.events.on('acs.listening', (a) => { acs = a; });
  app.events.on('api.listening', (a) => { api = a; });
  await app.start();
  const token = readFileSync(api.tokenFile, 'utf8').trim();
  return {
    app, acsUrl: acs.url, apiUrl: api.url, ca: acs.caFile ? readFileSync(acs.caFile, 'utf8') : null,
    async api<T>(method: string, path: string) {
      const r = await fetch(new URL(path, api.url), { method, headers: { authorization: `Bearer ${token}` } });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
    },
    stop: () => app.stop(),
  };
}
