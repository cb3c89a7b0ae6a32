// USB site configuration (docs/sync.md "USB site configuration"): check a site config file from
// a stick, open the secrets sealed for this box, check the files it names (certificates, the
// initial bundle — verified against the bundle key), then switch the active config atomically,
// keeping the previous one for rollback. The outcome is written back next to the source as a
// human-readable result file. Nothing changes on the box unless everything checks.

import { chmodSync, chownSync, closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { hostname } from 'node:os';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { ConfigError, formatProblem, parseConfig, type SecretOpener } from '../core/config/load.ts';
import { BOX_KEY_FILE, boxSecretOpener } from './box-secrets.ts';

export { BOX_KEY_FILE, boxSecretOpener } from './box-secrets.ts';
import type { Config } from '../core/config/schema.ts';
import { isOutpostError } from '../core/errors.ts';
import { lineOf } from '../core/yaml.ts';
import { hashPasswordSync, isPasswordHash, verifyPasswordSync } from '../core/passwords.ts';
import { generateBoxKey, boxPublicKeyOf, isExpired, openSealed, parseBoxPublicKey, parseBundle, parsePublicKey, seal, verifyIntegrity } from '../protocols/bundle/index.ts';

const MAX_CONFIG_BYTES = 1024 * 1024;
const CONFIG_NAMES = ['outpost.yaml', 'outpost.yml'];

type Path = (string | number)[];

export interface ImportOptions {
  /** A config file, or a directory (a mounted stick) holding outpost.yaml. */
  source: string;
  /** The active config file of this box. */
  target: string;
  /** Where this box's key (box.key) is; default: the stateDir of the active config, else of the new one. */
  stateDir?: string | undefined;
  dryRun?: boolean;
  now?: Date;
}

export interface ImportResult {
  ok: boolean;
  configFile: string | null;
  resultFile: string | null;
  problems: string[];
  notes: string[];
}

/** The config file on a stick: outpost.yaml, else the only *.yaml / *.yml at its top level. */
export function locateConfig(source: string): string {
  const st = statSync(source);
  if (!st.isDirectory()) return source;
  for (const n of CONFIG_NAMES) if (existsSync(join(source, n))) return join(source, n);
  const yamls = readdirSync(source).filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.'));
  if (yamls.length === 1) return join(source, yamls[0]!);
  throw new Error(yamls.length === 0 ? `no outpost.yaml in ${source}` : `several YAML files in ${source} (${yamls.join(', ')}); name the site config outpost.yaml`);
}

/**
 * Run as root (the console, the USB import unit), files we create must still be readable by the
 * service user: a file takes the owner of its directory (the box key: the state directory's
 * owner, `outpost`) or its group with group read (the config: /etc/outpost is root:outpost 0750).
 * A directory of root's own keeps files root's only (0600).
 */
function adoptOwner(file: string, how: 'user' | 'group'): void {
  if (process.getuid?.() !== 0) return;
  const d = statSync(dirname(file));
  if (how === 'user' && d.uid !== 0) chownSync(file, d.uid, d.gid);
  if (how === 'group' && d.gid !== 0) { chownSync(file, 0, d.gid); chmodSync(file, statSync(file).isDirectory() ? 0o750 : 0o640); }
}

export function ensureBoxKey(stateDir: string): string {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, BOX_KEY_FILE);
  if (!existsSync(file)) {
    try {
      writeFileSync(file, generateBoxKey().privateKeyPem, { mode: 0o600, flag: 'wx' });
      adoptOwner(file, 'user');
    } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; }
  }
  return boxPublicKeyOf(readFileSync(file, 'utf8'));
}

interface Sealed { path: Path; start: number; end: number; value: string }

/** Sealed values (and with `secrets`, also values under a secret-named key other than admin.password). */
function findSealed(node: unknown, path: Path, out: Sealed[], secrets = false): void {
  if (isMap(node)) for (const p of node.items) findSealed(p.value, [...path, isScalar(p.key) ? String(p.key.value) : '?'], out, secrets);
  else if (isSeq(node)) node.items.forEach((n, i) => findSealed(n, [...path, i], out, secrets));
  else if (isScalar(node) && typeof node.value === 'string' && node.range && (node.value.startsWith('sealed:')
    || (secrets && SECRET_KEY.test(String(path[path.length - 1])) && path.join('.') !== 'admin.password'))) {
    out.push({ path, start: node.range[0], end: node.range[1], value: node.value.trim() });
  }
}

/** A key that holds a secret: its value is sealed for the box in the active config when given in clear. */
const SECRET_KEY = /^(password|token|secret)$/i;

/** The files a site config names, relative to the config file's directory. */
const FILE_FIELDS: { path: Path; get: (c: Config) => string | undefined; secret?: boolean }[] = [
  { path: ['acs', 'tls', 'cert'], get: (c) => c.acs.tls.cert },
  { path: ['acs', 'tls', 'key'], get: (c) => c.acs.tls.key, secret: true },
  { path: ['acs', 'tls', 'ca'], get: (c) => c.acs.tls.ca },
  { path: ['sync', 'central', 'ca'], get: (c) => c.sync.central?.ca },
  { path: ['sync', 'initialBundle'], get: (c) => c.sync.initialBundle },
];

function checkSite(cfg: Config, baseDir: string, at: (p: Path) => string, problems: string[], notes: string[]): Map<string, string> {
  const files = new Map<string, string>();
  if (!cfg.admin) problems.push(`admin (at top level): the first admin account is needed (username, and password sealed for this box or passwordHash)`);
  if (!cfg.acs.auth.bootstrap) problems.push(`${at(['acs', 'auth'])}: bootstrap credentials (username and password) are needed for the phones' first contact`);
  if (!!cfg.acs.tls.cert !== !!cfg.acs.tls.key) problems.push(`${at(['acs', 'tls'])}: give both cert and key, or neither (then the box generates them)`);
  for (const f of FILE_FIELDS) {
    const v = f.get(cfg);
    if (!v) continue;
    const abs = resolve(baseDir, v);
    try {
      if (!statSync(abs).isFile()) throw new Error('not a file');
      files.set(f.path.join('.'), abs);
    } catch {
      problems.push(`${at(f.path)}: file ${v} not found next to the config`);
    }
  }
  let key: KeyObject | null = null;
  if (cfg.sync.publicKey) {
    try { key = parsePublicKey(cfg.sync.publicKey); } catch (err) { problems.push(`${at(['sync', 'publicKey'])}: ${(err as Error).message}`); }
  }
  const bundle = files.get('sync.initialBundle');
  if (bundle && key) {
    try {
      const doc = parseBundle(readFileSync(bundle));
      verifyIntegrity(doc, key);
      if (doc.manifest.site !== cfg.site.id) throw new Error(`the bundle is for site '${doc.manifest.site}', this config is site '${cfg.site.id}'`);
      const expired = isExpired(doc, Date.now());
      notes.push(`initial bundle: version ${doc.manifest.version}, ${doc.manifest.parts.length} parts, signed by key ${doc.signature!.keyId}, ${expired ? 'EXPIRED at' : 'expires'} ${doc.manifest.expiresAt}${expired ? ' (used only while no newer bundle is in force; a health warning stays raised)' : ''}`);
    } catch (err) {
      problems.push(`${at(['sync', 'initialBundle'])}: ${isOutpostError(err) ? err.message : (err as Error).message}`);
    }
  }
  if (!cfg.sync.central) notes.push('no central: standalone site (bundles only from USB)');
  else notes.push(`central: ${cfg.sync.central.url}`);
  return files;
}

function stateDirOf(file: string): string | null {
  try {
    const v = (parseDocument(readFileSync(file, 'utf8')).toJS() as { stateDir?: unknown } | null)?.stateDir;
    return typeof v === 'string' ? resolve(dirname(file), v) : null;
  } catch {
    return null;
  }
}

function writeDurably(file: string, text: string, mode: number): void {
  const fd = openSync(`${file}.tmp`, 'w', mode);
  try { writeSync(fd, text); fsyncSync(fd); } finally { closeSync(fd); }
  adoptOwner(`${file}.tmp`, 'group');
  renameSync(`${file}.tmp`, file);
  const d = openSync(dirname(file), 'r');
  try { fsyncSync(d); } finally { closeSync(d); }
}

function sha(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function importSiteConfig(o: ImportOptions): ImportResult {
  const now = o.now ?? new Date();
  const problems: string[] = [];
  const notes: string[] = [];
  let configFile: string | null = null;
  let applied = false;
  try {
    configFile = resolve(locateConfig(o.source));
    const raw = readFileSync(configFile);
    if (raw.length > MAX_CONFIG_BYTES) throw new Error(`${raw.length} bytes: a site config is at most ${MAX_CONFIG_BYTES}`);
    const text = raw.toString('utf8');
    const name = basename(configFile);
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
    const at = (p: Path) => `${p.join('.')} (line ${lineOf(doc, lc, p) ?? '?'})`;
    const stateDir = o.stateDir ?? stateDirOf(o.target) ?? (doc.errors.length === 0 ? stateDirOf(configFile) : null) ?? '/var/lib/outpost';
    const keyFile = join(stateDir, BOX_KEY_FILE);
    const boxKey = existsSync(keyFile) ? createPrivateKey(readFileSync(keyFile, 'utf8')) : null;
    const sealed: Sealed[] = [];
    if (doc.errors.length === 0) findSealed(doc.contents, [], sealed);
    const sealedPaths = new Set(sealed.map((s) => s.path.join('.')));
    const openSecret: SecretOpener = (token) => {
      if (!boxKey) throw new Error('a sealed value, but this box has no key yet (run outpost config box-key on the box and seal again)');
      return openSealed(token, boxKey);
    };
    let cfg: Config | null = null;
    try {
      cfg = parseConfig(text, name, { openSecret });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems.map(formatProblem));
    }
    if (cfg && problems.length === 0) {
      const files = checkSite(cfg, dirname(configFile), at, problems, notes);
      if (cfg.admin) {
        notes.push(`first admin account: ${cfg.admin.username} (created at start if missing; its password is set again only when this entry changes)`);
        if (cfg.admin.password !== undefined && !sealedPaths.has('admin.password')) {
          notes.push(`WARNING ${at(['admin', 'password'])}: given in clear — anyone who had the stick knows it; seal it for the box (outpost config seal) or change it after first login`);
        }
      }
      if (sealed.length > 0) notes.push(`${sealed.length} sealed secret${sealed.length > 1 ? 's' : ''} opened with this box's key`);
      if (problems.length === 0 && !o.dryRun) {
        activate(o.target, text, cfg, files, configFile, sha(raw), now, notes);
        applied = true;
      }
      if (cfg) notes.unshift(`site: ${cfg.site.id} (${cfg.site.domain})${cfg.site.name ? ` — ${cfg.site.name}` : ''}`);
    }
  } catch (err) {
    problems.push(isOutpostError(err) ? err.message : (err as Error).message);
  }
  const ok = problems.length === 0;
  const resultFile = configFile ? writeResult(configFile, ok, applied, o, problems, notes, now) : null;
  return { ok, configFile, resultFile, problems, notes };
}

/** Copy named files into <target dir>/imported/ (content-addressed, so a rollback finds its own), then swap the config. */
function activate(target: string, text: string, cfg: Config, files: Map<string, string>, source: string, sourceSha: string, now: Date, notes: string[]): void {
  const dir = dirname(resolve(target));
  const store = join(dir, 'imported');
  mkdirSync(store, { recursive: true, mode: 0o700 });
  adoptOwner(store, 'group');
  const doc = parseDocument(text);
  // The admin password never rests on the box, even sealed: only its scrypt hash is kept. The
  // hash already in force is kept when it is the same user and password, so re-importing a stick
  // for another change does not count as a new admin entry (which would reset the admin account).
  if (cfg.admin?.password !== undefined) {
    const prev = previousAdmin(target);
    const keep = prev?.username === cfg.admin.username && isPasswordHash(prev.passwordHash) && verifyPasswordSync(cfg.admin.password, prev.passwordHash);
    doc.setIn(['admin', 'passwordHash'], keep ? prev.passwordHash : hashPasswordSync(cfg.admin.password));
    doc.deleteIn(['admin', 'password']);
  }
  // Every other secret — sealed on the stick or given in clear — is sealed afresh for the key in
  // the state directory Outpost will run with, and opened only in memory when it loads.
  const boxPub = parseBoxPublicKey(ensureBoxKey(resolve(cfg.stateDir)));
  const secrets: Sealed[] = [];
  findSealed(doc.contents, [], secrets, true);
  for (const s of secrets) {
    const plain = s.path.reduce<unknown>((node, k) => (node as Record<string | number, unknown> | undefined)?.[k], cfg);
    if (typeof plain === 'string') doc.setIn(s.path, seal(plain, boxPub));
  }
  if (secrets.length > 0) notes.push(`${secrets.length} secret${secrets.length > 1 ? 's' : ''} kept sealed for this box in the active config (opened only in memory)`);
  for (const [field, abs] of files) {
    const data = readFileSync(abs);
    const dest = join(store, `${sha(data).slice(0, 12)}-${basename(abs)}`);
    if (!existsSync(dest)) { copyFileSync(abs, `${dest}.tmp`); adoptOwner(`${dest}.tmp`, 'group'); renameSync(`${dest}.tmp`, dest); }
    doc.setIn(field.split('.'), dest);
  }
  const header = `# Imported by outpost config import at ${now.toISOString()} from ${source} (sha256 ${sourceSha.slice(0, 16)}).\n# Secrets are sealed for this box (key in the state directory); the admin password is only a hash.\n`;
  const out = header + doc.toString({ lineWidth: 0 });
  mkdirSync(dir, { recursive: true });
  if (existsSync(target)) {
    copyFileSync(target, `${target}.previous.tmp`);
    adoptOwner(`${target}.previous.tmp`, 'group');
    renameSync(`${target}.previous.tmp`, `${target}.previous`);
    notes.push(`previous config kept as ${target}.previous (outpost config rollback restores it)`);
  }
  writeDurably(target, out, 0o600);
  notes.push(`applied to ${target}; restart Outpost to use it (the USB import unit does this)`);
}

function previousAdmin(target: string): { username: string; passwordHash: string } | null {
  try {
    const a = (parseDocument(readFileSync(target, 'utf8')).toJS() as { admin?: { username?: unknown; passwordHash?: unknown } } | null)?.admin;
    return typeof a?.username === 'string' && typeof a.passwordHash === 'string' ? { username: a.username, passwordHash: a.passwordHash } : null;
  } catch {
    return null;
  }
}

function writeResult(configFile: string, ok: boolean, applied: boolean, o: ImportOptions, problems: string[], notes: string[], now: Date): string | null {
  const head = ok ? (applied ? 'APPLIED' : 'CHECKED (dry run: nothing changed)') : 'REFUSED (nothing was changed on the box)';
  const text = [
    `Outpost site config import: ${head}`,
    `config: ${configFile}`,
    `box:    ${hostname()}`,
    `at:     ${now.toISOString()}`,
    '',
    ...(ok ? notes.map((n) => `- ${n}`) : ['Problems (fix each one and import again):', ...problems.map((p) => `- ${p}`)]),
    '',
  ].join('\n');
  const file = `${configFile}.result.txt`;
  try {
    writeFileSync(file, text);
    return file;
  } catch {
    return null; // a read-only stick: the caller prints the result instead
  }
}

/** Swap the active config with the previous one (running rollback twice undoes it). */
export function rollbackSiteConfig(target: string): string {
  const prev = `${target}.previous`;
  if (!existsSync(prev)) throw new Error(`no previous config (${prev}) to roll back to`);
  parseConfig(readFileSync(prev, 'utf8'), prev, { openSecret: boxSecretOpener() }); // refuse to roll back to something that no longer loads
  copyFileSync(target, `${target}.swap`);
  renameSync(prev, target);
  renameSync(`${target}.swap`, prev);
  return prev;
}
