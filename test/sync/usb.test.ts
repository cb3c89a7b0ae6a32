// USB site configuration: broken configs (syntax, unknown keys, bad addresses, missing or
// foreign secrets, missing or tampered initial bundle) are refused with a message naming the
// field and line, the running config untouched and a result file written next to the source;
// a good one is applied atomically with the previous kept, and rollback restores it. The CLI
// is driven once end to end as plant IT would.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../src/core/config/load.ts';
import { boxSecretOpener, ensureBoxKey, importSiteConfig, rollbackSiteConfig } from '../../src/cli/site-import.ts';
import { generateBoxKey, parseBoxPublicKey, seal } from '../../src/protocols/bundle/index.ts';
import { fixtureBundle, generateKeyPair, tempDir } from './helpers.ts';
import { usbConfig, type UsbSite } from './usb-config.ts';

const keys = generateKeyPair();
const box = tempDir('box');
const stateDir = join(box, 'state');
const target = join(box, 'etc', 'outpost.yaml');
let boxKey: string;
let good: UsbSite;
let bundle: Buffer;

before(() => {
  boxKey = ensureBoxKey(stateDir);
  const k = parseBoxPublicKey(boxKey);
  good = { stateDir, sealedPassword: seal('b00tstrap-Pw', k), sealedToken: seal('site-token-0123456789abcdef', k), sealedAdmin: seal('Ammonia-Unit-7-Hotline', k), publicKey: keys.publicKey };
  bundle = fixtureBundle(keys, { version: 7, site: 'refinery-north' }).bundle;
});

/** A stick: a directory with outpost.yaml and the bundle. */
function stick(text: string, files: Record<string, string | Buffer> = { 'site.bundle.json': bundle }): string {
  const dir = tempDir('stick');
  writeFileSync(join(dir, 'outpost.yaml'), text);
  for (const [n, d] of Object.entries(files)) writeFileSync(join(dir, n), d);
  return dir;
}

const imp = (dir: string) => importSiteConfig({ source: dir, target, stateDir });
const snapshot = () => (existsSync(target) ? readFileSync(target, 'utf8') : null);

test('a good config is applied: secrets opened, files copied in, result file written, previous kept', () => {
  const dir = stick(usbConfig(good));
  const r = imp(dir);
  assert.deepEqual(r.problems, []);
  assert.equal(r.ok, true);
  // Secrets stay sealed in the active file; the box key opens them when the config is loaded.
  const active = readFileSync(target, 'utf8');
  assert.doesNotMatch(active, /b00tstrap-Pw|site-token-0123|Ammonia/);
  assert.equal(active.match(/sealed:v1:/g)?.length, 2);
  assert.throws(() => loadConfigFile(target), /acs\.auth\.bootstrap\.password \(line \d+\): a sealed value/);
  const cfg = loadConfigFile(target, { openSecret: boxSecretOpener() });
  assert.equal(cfg.site.id, 'refinery-north');
  assert.equal(cfg.acs.auth.bootstrap?.password, 'b00tstrap-Pw');
  assert.equal(cfg.sync.central?.token, 'site-token-0123456789abcdef');
  assert.match(cfg.sync.initialBundle ?? '', /imported\/[0-9a-f]{12}-site\.bundle\.json$/);
  assert.deepEqual(readFileSync(cfg.sync.initialBundle!), bundle);
  assert.equal(statSync(target).mode & 0o777, 0o600);
  const result = readFileSync(join(dir, 'outpost.yaml.result.txt'), 'utf8');
  assert.match(result, /APPLIED/);
  assert.match(result, /initial bundle: version 7/);
  assert.match(result, /3 sealed secrets opened/);
  assert.match(result, /2 secrets kept sealed for this box in the active config/);
  assert.match(result, /first admin account: plant-admin/);
  assert.doesNotMatch(result, /WARNING/);
  assert.doesNotMatch(result, /b00tstrap-Pw|site-token-0123|Ammonia/, 'no secret in the result file');
  // The admin password never rests in clear on the box: only its scrypt hash.
  assert.equal(cfg.admin?.username, 'plant-admin');
  assert.equal(cfg.admin?.password, undefined);
  assert.match(cfg.admin?.passwordHash ?? '', /^scrypt\$15\$8\$3\$/);
  assert.doesNotMatch(readFileSync(target, 'utf8'), /Ammonia/);
});

const broken: [string, (t: string) => string, RegExp, Record<string, string | Buffer>?][] = [
  ['YAML syntax error', (t) => t.replace('site: { id: refinery-north,', 'site: { id: refinery-north'), /line \d+/],
  ['unknown key', (t) => t.replace('  listen: { host: 127.0.0.1, port: 0 }\n  auth:', '  listn: { host: 127.0.0.1, port: 0 }\n  auth:'), /acs \(line 8\): unknown key 'listn'/],
  ['bad address', (t) => t.replace('start: 10.20.0.100', 'start: 10.20.0.300'), /dhcp\.scopes\.0\.ranges\.0\.start \(line 21\): must be an IPv4 address/],
  ['address outside its subnet', (t) => t.replace('end: 10.20.0.199', 'end: 10.21.0.199'), /10\.21\.0\.199 is outside 10\.20\.0\.0\/24/],
  ['bad CIDR', (t) => t.replace('subnet: 10.20.0.0/24', 'subnet: 10.20.0.0/33'), /dhcp\.scopes\.0\.subnet \(line 20\): must be an IPv4 CIDR/],
  ['missing site token', (t) => t.replace(/    token: .*\n/, ''), /sync\.central\.token \(line 29\): missing: the site credential/],
  ['missing bootstrap credentials', (t) => t.replace(/  auth:\n.*\n.*\n.*\n/, ''), /acs\.auth \(line 8\): bootstrap credentials .* are needed/],
  ['secret sealed for another box', (t) => t.replace(good.sealedPassword, seal('x', parseBoxPublicKey(generateBoxKey().publicKey))), /acs\.auth\.bootstrap\.password \(line 12\): .*sealed for another box/],
  ['damaged sealed secret', (t) => t.replace(good.sealedToken, good.sealedToken.slice(0, -4) + 'AAAA'), /sync\.central\.token \(line 30\): .*another box, or damaged/],
  ['bad bundle key', (t) => t.replace(keys.publicKey, 'ed25519:nope'), /sync\.publicKey \(line 31\): must be 'ed25519:'/],
  ['initial bundle missing', (t) => t, /sync\.initialBundle \(line 32\): file site\.bundle\.json not found/, {}],
  ['initial bundle tampered', (t) => t, /sync\.initialBundle \(line 32\): .*does not match its SHA-256/, { 'site.bundle.json': '' }],
  ['no first admin account', (t) => t.replace(/admin:\n.*\n.*\n/, ''), /admin \(at top level\): the first admin account is needed/],
  ['weak admin password', (t) => t.replace(good.sealedAdmin, seal('admin', parseBoxPublicKey(boxKey))), /admin\.password \(line 35\): the password must be at least 12 characters/],
  ['well-known admin password', (t) => t.replace(good.sealedAdmin, seal('password1234', parseBoxPublicKey(boxKey))), /admin\.password \(line 35\): .*well-known/],
  ['admin password and hash both given', (t) => t.replace('  username: plant-admin\n', '  username: plant-admin\n  passwordHash: scrypt$15$8$3$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n'), /give exactly one of password .* or passwordHash/],
  ['initial bundle signed by another key', (t) => t, /sync\.initialBundle \(line 32\): .*trusts key/, { 'site.bundle.json': '' }],
  ['initial bundle for another site', (t) => t, /sync\.initialBundle \(line 32\): the bundle is for site 'test'/, { 'site.bundle.json': '' }],
];

for (const [name, edit, re, files] of broken) {
  test(`refused, running config untouched: ${name}`, () => {
    let extra = files;
    if (name === 'initial bundle tampered') extra = { 'site.bundle.json': Buffer.from(bundle.toString('utf8').replace('pbx.refinery-north.example', 'evil.example')) };
    if (name === 'initial bundle signed by another key') extra = { 'site.bundle.json': fixtureBundle(generateKeyPair(), { version: 7, site: 'refinery-north' }).bundle };
    if (name === 'initial bundle for another site') extra = { 'site.bundle.json': fixtureBundle(keys, { version: 7 }).bundle };
    const before = snapshot();
    const dir = stick(edit(usbConfig(good)), extra);
    const r = imp(dir);
    assert.equal(r.ok, false);
    assert.ok(r.problems.some((p) => re.test(p)), `${name}: ${r.problems.join(' | ')}`);
    assert.equal(snapshot(), before, 'the running config is untouched');
    const result = readFileSync(join(dir, 'outpost.yaml.result.txt'), 'utf8');
    assert.match(result, /REFUSED \(nothing was changed on the box\)/);
    assert.ok(r.problems.every((p) => result.includes(p)));
  });
}

test('an admin password given in clear is accepted with a warning in the result, and still stored only hashed', () => {
  const dir = stick(usbConfig({ ...good, sealedAdmin: 'Ammonia-Unit-7-Hotline' }));
  const r = importSiteConfig({ source: dir, target: join(tempDir('clear'), 'outpost.yaml'), stateDir });
  assert.equal(r.ok, true, r.problems.join('; '));
  const result = readFileSync(join(dir, 'outpost.yaml.result.txt'), 'utf8');
  assert.match(result, /WARNING admin\.password \(line 35\): given in clear/);
  assert.doesNotMatch(result, /Ammonia/);
});

test('secrets given in clear on the stick are sealed for the box in the active config', () => {
  const dest = join(tempDir('clear-secrets'), 'outpost.yaml');
  const r = importSiteConfig({ source: stick(usbConfig({ ...good, sealedPassword: 'b00tstrap-Pw', sealedToken: 'site-token-0123456789abcdef' })), target: dest, stateDir });
  assert.equal(r.ok, true, r.problems.join('; '));
  assert.doesNotMatch(readFileSync(dest, 'utf8'), /b00tstrap-Pw|site-token-0123/);
  const cfg = loadConfigFile(dest, { openSecret: boxSecretOpener() });
  assert.equal(cfg.acs.auth.bootstrap?.password, 'b00tstrap-Pw');
  assert.equal(cfg.sync.central?.token, 'site-token-0123456789abcdef');
});

test('run as root on the box, the files it writes are readable by the service user (owner of the directories)', (t) => {
  if (process.getuid?.() !== 0) {
    assert.ok(process.env.CI !== 'true', 'CI runs the suite as root');
    t.skip('needs root (chown)');
    return;
  }
  // The box as systemd/README.md installs it: /etc/outpost root:outpost 0750, the state directory outpost's own.
  // uid/gid 1 (daemon) stands in for the outpost user.
  const boxDir = tempDir('owned');
  const etc = join(boxDir, 'etc');
  const state = join(boxDir, 'state');
  mkdirSync(etc, { mode: 0o750 });
  mkdirSync(state, { mode: 0o700 });
  chownSync(etc, 0, 1);
  chownSync(state, 1, 1);
  const dest = join(etc, 'outpost.yaml');
  const r = importSiteConfig({ source: stick(usbConfig({ ...good, stateDir: state, sealedPassword: 'b00tstrap-Pw', sealedToken: 'site-token-0123456789abcdef', sealedAdmin: 'Ammonia-Unit-7-Hotline' })), target: dest, stateDir: state });
  assert.equal(r.ok, true, r.problems.join('; '));
  const key = statSync(join(state, 'box.key'));
  assert.deepEqual([key.uid, key.gid, key.mode & 0o777], [1, 1, 0o600], 'the box key belongs to the service user');
  const cfg = statSync(dest);
  assert.deepEqual([cfg.uid, cfg.gid, cfg.mode & 0o777], [0, 1, 0o640], 'the active config: root:outpost 0640');
  const imported = statSync(join(etc, 'imported'));
  assert.deepEqual([imported.gid, imported.mode & 0o777], [1, 0o750]);
  const bundleFile = loadConfigFile(dest, { openSecret: boxSecretOpener() }).sync.initialBundle!;
  assert.deepEqual([statSync(bundleFile).gid, statSync(bundleFile).mode & 0o777], [1, 0o640]);
});

test('a stick with several YAML files and no outpost.yaml is refused with the names', () => {
  const dir = tempDir('stick');
  writeFileSync(join(dir, 'a.yaml'), 'x: 1\n');
  writeFileSync(join(dir, 'b.yml'), 'x: 1\n');
  const r = imp(dir);
  assert.equal(r.ok, false);
  assert.match(r.problems[0]!, /several YAML files .*a\.yaml, b\.yml/);
});

test('a second good config keeps the first as previous; rollback restores it (and rollback again undoes that)', () => {
  const first = snapshot()!;
  const r = imp(stick(usbConfig(good).replace('name: Refinery North', 'name: Refinery North (after the turnaround)')));
  assert.equal(r.ok, true, r.problems.join('; '));
  const second = snapshot()!;
  assert.match(second, /after the turnaround/);
  const hashOf = (text: string) => /passwordHash: (\S+)/.exec(text)?.[1];
  assert.equal(hashOf(second), hashOf(first), 'same admin entry: the hash in force is kept (no admin reset at the next start)');
  assert.equal(readFileSync(`${target}.previous`, 'utf8'), first);
  rollbackSiteConfig(target);
  assert.equal(snapshot(), first);
  assert.equal(readFileSync(`${target}.previous`, 'utf8'), second);
  rollbackSiteConfig(target);
  assert.equal(snapshot(), second);
});

test('CLI end to end: box-key, seal, import (refused then applied), rollback', () => {
  const node = process.execPath;
  const cli = (args: string[], input?: string) => spawnSync(node, ['src/main.ts', ...args], { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  const state = join(tempDir('clibox'), 'state');
  const etc = join(tempDir('clietc'), 'outpost.yaml');
  const key = cli(['config', 'box-key', '--state-dir', state]);
  assert.equal(key.status, 0, key.stderr);
  const pub = key.stdout.trim();
  assert.match(pub, /^x25519:/);
  assert.equal(cli(['config', 'box-key', '--state-dir', state]).stdout.trim(), pub, 'the box key is made once');
  const sealed = (v: string) => { const r = cli(['config', 'seal', '--box-key', pub], v); assert.equal(r.status, 0, r.stderr); return r.stdout.trim(); };
  const site: UsbSite = { stateDir: state, sealedPassword: sealed('pw-cli'), sealedToken: sealed('token-cli-0123456789'), sealedAdmin: sealed('Cooling-Tower-East-9'), publicKey: keys.publicKey };
  // Plant IT checks the stick on a laptop, where there is no box key: sealed values are counted, not opened.
  const laptop = stick(usbConfig({ ...site, stateDir: join(tempDir('laptop'), 'state') }));
  const lc = cli(['config', 'check', join(laptop, 'outpost.yaml')]);
  assert.equal(lc.status, 0, lc.stderr);
  assert.match(lc.stdout, /OK \(3 sealed values not opened: no box key here/);
  const bad = stick(usbConfig(site).replace('start: 10.20.0.100', 'start: 10.20.0.999'));
  const r1 = cli(['config', 'import', bad, '--target', etc, '--state-dir', state]);
  assert.equal(r1.status, 1);
  assert.match(r1.stderr, /REFUSED.*\n.*dhcp\.scopes\.0\.ranges\.0\.start \(line 21\)/);
  assert.ok(!existsSync(etc));
  mkdirSync(join(etc, '..'), { recursive: true });
  const r2 = cli(['config', 'import', stick(usbConfig(site)), '--target', etc, '--state-dir', state]);
  assert.equal(r2.status, 0, r2.stderr);
  assert.match(r2.stdout, /APPLIED/);
  assert.equal(cli(['config', 'check', etc]).status, 0, 'the active config passes outpost config check');
  const r3 = cli(['config', 'rollback', '--target', etc]);
  assert.equal(r3.status, 1, 'nothing to roll back to after a first import');
  assert.match(r3.stderr, /no previous config/);
});

test('re-importing keeps the admin hash for the same password and replaces it for a new one', () => {
  const dest = join(tempDir('rehash'), 'outpost.yaml');
  const k = parseBoxPublicKey(boxKey);
  const hashOf = () => /passwordHash: (\S+)/.exec(readFileSync(dest, 'utf8'))?.[1];
  assert.equal(importSiteConfig({ source: stick(usbConfig(good)), target: dest, stateDir }).ok, true);
  const h1 = hashOf();
  assert.equal(importSiteConfig({ source: stick(usbConfig({ ...good, sealedAdmin: seal('Ammonia-Unit-7-Hotline', k) })), target: dest, stateDir }).ok, true);
  assert.equal(hashOf(), h1, 'same password, sealed again: same hash');
  assert.equal(importSiteConfig({ source: stick(usbConfig({ ...good, sealedAdmin: seal('Isomerization-Unit-3', k) })), target: dest, stateDir }).ok, true);
  assert.notEqual(hashOf(), h1, 'a new password: a new hash (the admin is reset at the next start)');
});
