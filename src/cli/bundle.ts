// `outpost bundle build|sign|verify` — the central team's bundle tools (docs/sync.md).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isOutpostError, OutpostError } from '../core/errors.ts';
import { duration } from '../core/config/common.ts';
import { parseProvisioningDocuments } from '../provisioning/index.ts';
import {
  isExpired, parseBundle, parsePrivateKey, parsePublicKey, serializeBundle, signBundle, verifyBundle, verifyIntegrity,
} from '../protocols/bundle/index.ts';
import { buildFromDir } from './bundle-build.ts';
import { commandArgs } from './args.ts';
import type { CliCommand } from './commands.ts';

function fail(cmd: string, err: unknown): number {
  if (!isOutpostError(err)) throw err;
  process.stderr.write(`outpost ${cmd}: ${err.code}\n  ${err.message.split('; ').join('\n  ')}\n`);
  return 1;
}

function writeAtomically(file: string, data: Buffer): void {
  writeFileSync(`${file}.tmp`, data, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new OutpostError('SYNC_BUNDLE_KEY', `${file}: ${(err as Error).message}`);
  }
}

export const bundleBuild: CliCommand = {
  name: 'bundle build',
  summary: 'DIR of YAML → bundle: --site S --version N [--expires 90d] [--out FILE] [--key PRIVATE]',
  async run(argv) {
    const a = commandArgs(argv, {
      allowPositionals: true,
      options: { site: { type: 'string' }, version: { type: 'string' }, expires: { type: 'string' }, out: { type: 'string', short: 'o' }, key: { type: 'string' } },
    }, `Usage: outpost bundle build DIR [--site S] [--version N] [--expires 90d] [--out FILE] [--key PRIVATE]
  Reads DIR/bundle.yaml (site, version, expires) and every *.yaml/*.yml/*.csv under DIR (firmware/
  holds images and is not included), checks templates, zones, positions, rules and firmware.yaml,
  and writes the bundle (default ./<site>.bundle.json). With --key it is signed too.\n`, (a) => a.positionals[0]);
    if (typeof a === 'number') return a;
    const { values } = a;
    const dir = a.positionals[0]!;
    try {
      const version = values.version === undefined ? undefined : Number(values.version);
      if (version !== undefined && !(Number.isSafeInteger(version) && version > 0)) throw new OutpostError('CONFIG_INVALID', '--version must be a positive integer');
      const exp = values.expires === undefined ? undefined : duration.safeParse(values.expires);
      if (exp && !exp.success) throw new OutpostError('CONFIG_INVALID', '--expires must be a duration such as 90d');
      let doc = buildFromDir(dir, { site: values.site, version, expiresIn: exp?.data, parse: parseProvisioningDocuments });
      if (values.key) doc = signBundle(doc, parsePrivateKey(readKeyFile(values.key)));
      const out = values.out ?? `${doc.manifest.site}.bundle.json`;
      writeAtomically(out, serializeBundle(doc));
      const m = doc.manifest;
      process.stdout.write(`${out}: site ${m.site}, version ${m.version}, ${m.parts.length} parts, expires ${m.expiresAt}${doc.signature ? `, signed by key ${doc.signature.keyId}` : ' — unsigned: run outpost bundle sign'}\n`);
      return 0;
    } catch (err) {
      return fail('bundle build', err);
    }
  },
};

export const bundleSign: CliCommand = {
  name: 'bundle sign',
  summary: 'sign a bundle: FILE --key PRIVATE [--out FILE]',
  async run(argv) {
    const a = commandArgs(argv, { allowPositionals: true, options: { key: { type: 'string' }, out: { type: 'string', short: 'o' } } },
      'Usage: outpost bundle sign FILE --key PRIVATE [--out FILE]\n  Signs the manifest (which holds every part\'s SHA-256) with the Ed25519 key; in place unless --out.\n',
      (a) => a.positionals[0] && a.values.key);
    if (typeof a === 'number') return a;
    const { values } = a;
    const file = a.positionals[0]!;
    try {
      const signed = signBundle(parseBundle(readFileSync(file)), parsePrivateKey(readKeyFile(values.key!)));
      const out = values.out ?? file;
      writeAtomically(out, serializeBundle(signed));
      process.stdout.write(`${out}: version ${signed.manifest.version} for site ${signed.manifest.site} signed by key ${signed.signature!.keyId}\n`);
      return 0;
    } catch (err) {
      return fail('bundle sign', err instanceof Error && !isOutpostError(err) && 'code' in err ? new OutpostError('SYNC_BUNDLE_MALFORMED', err.message) : err);
    }
  },
};

export const bundleVerify: CliCommand = {
  name: 'bundle verify',
  summary: 'check a bundle: FILE --public-key KEY [--site S] [--newer-than N]',
  async run(argv) {
    const a = commandArgs(argv, {
      allowPositionals: true,
      options: { 'public-key': { type: 'string' }, site: { type: 'string' }, 'newer-than': { type: 'string' } },
    }, 'Usage: outpost bundle verify FILE --public-key ed25519:…|PEM-FILE [--site S] [--newer-than N]\n  Exit 0 when signature and hashes hold (and site, version and expiry when given/checked).\n',
    (a) => a.positionals[0] && a.values['public-key']);
    if (typeof a === 'number') return a;
    const { values } = a;
    const file = a.positionals[0]!;
    try {
      const keyArg = values['public-key']!;
      const key = parsePublicKey(keyArg.startsWith('ed25519:') ? keyArg : readKeyFile(keyArg));
      const bytes = readFileSync(file);
      const doc = parseBundle(bytes);
      verifyIntegrity(doc, key);
      if (values.site || values['newer-than']) {
        verifyBundle(bytes, { publicKey: key, site: values.site ?? doc.manifest.site, now: Date.now(), currentVersion: values['newer-than'] ? Number(values['newer-than']) : null, allowExpired: true });
      }
      const m = doc.manifest;
      const expired = isExpired(doc, Date.now());
      process.stdout.write(`${file}: OK — site ${m.site}, version ${m.version}, ${m.parts.length} parts, issued ${m.issuedAt}, ${expired ? 'EXPIRED' : 'expires'} ${m.expiresAt}, key ${doc.signature!.keyId}\n`);
      return expired ? 3 : 0;
    } catch (err) {
      if (err instanceof Error && !isOutpostError(err)) return fail('bundle verify', new OutpostError('SYNC_BUNDLE_MALFORMED', err.message));
      return fail('bundle verify', err);
    }
  },
};
