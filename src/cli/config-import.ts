// `outpost config import|rollback|box-key|seal` — the USB site configuration flow for plant IT
// (docs/sync.md "USB site configuration").
import { readFileSync } from 'node:fs';
import { parseBoxPublicKey, seal } from '../protocols/bundle/index.ts';
import { ensureBoxKey, importSiteConfig, rollbackSiteConfig } from './site-import.ts';
import { commandArgs } from './args.ts';
import type { CliCommand } from './commands.ts';

const DEFAULT_TARGET = '/etc/outpost/outpost.yaml';
const DEFAULT_STATE = '/var/lib/outpost';

export const configImport: CliCommand = {
  name: 'config import',
  summary: 'apply a site config from a file or USB stick: PATH [--target FILE] [--state-dir DIR] [--dry-run]',
  async run(argv) {
    const a = commandArgs(argv, {
      allowPositionals: true,
      options: { target: { type: 'string' }, 'state-dir': { type: 'string' }, 'dry-run': { type: 'boolean' } },
    }, `Usage: outpost config import PATH [--target FILE] [--state-dir DIR] [--dry-run]
  PATH is a site config file or a directory (a mounted stick) holding outpost.yaml. The file is
  checked (errors name the field and line), sealed secrets are opened with this box's key, the
  files it names are checked and copied in, and it replaces --target (default ${DEFAULT_TARGET})
  atomically; the previous config is kept for outpost config rollback. A result file is written
  next to the source (<name>.result.txt).\n`, (a) => a.positionals[0]);
    if (typeof a === 'number') return a;
    const { values } = a;
    const source = a.positionals[0]!;
    const r = importSiteConfig({ source, target: values.target ?? DEFAULT_TARGET, stateDir: values['state-dir'], dryRun: values['dry-run'] === true });
    const out = r.ok ? process.stdout : process.stderr;
    out.write(`${r.configFile ?? source}: ${r.ok ? (values['dry-run'] ? 'OK (dry run)' : 'APPLIED') : 'REFUSED — the running config is unchanged'}\n`);
    for (const line of r.ok ? r.notes : r.problems) out.write(`  ${line}\n`);
    out.write(r.resultFile ? `  result written to ${r.resultFile}\n` : '  (the result file could not be written next to the source)\n');
    return r.ok ? 0 : 1;
  },
};

export const configRollback: CliCommand = {
  name: 'config rollback',
  summary: 'restore the config that the last import replaced: [--target FILE]',
  async run(argv) {
    const a = commandArgs(argv, { options: { target: { type: 'string' } } }, `Usage: outpost config rollback [--target FILE]   (default ${DEFAULT_TARGET})\n`);
    if (typeof a === 'number') return a;
    const target = a.values.target ?? DEFAULT_TARGET;
    try {
      const prev = rollbackSiteConfig(target);
      process.stdout.write(`${target}: restored the previous config; the one replaced is now ${prev}. Restart Outpost to use it.\n`);
      return 0;
    } catch (err) {
      process.stderr.write(`outpost config rollback: ${(err as Error).message}\n`);
      return 1;
    }
  },
};

export const configBoxKey: CliCommand = {
  name: 'config box-key',
  summary: "print this box's public key for sealing secrets (creates it once): [--state-dir DIR]",
  async run(argv) {
    const a = commandArgs(argv, { options: { 'state-dir': { type: 'string' } } }, `Usage: outpost config box-key [--state-dir DIR]   (default ${DEFAULT_STATE})\n`);
    if (typeof a === 'number') return a;
    process.stdout.write(`${ensureBoxKey(a.values['state-dir'] ?? DEFAULT_STATE)}\n`);
    return 0;
  },
};

export const configSeal: CliCommand = {
  name: 'config seal',
  summary: 'seal a secret (read from stdin) for one box: --box-key x25519:…',
  async run(argv) {
    const a = commandArgs(argv, { options: { 'box-key': { type: 'string' } } },
      'Usage: printf %s "$SECRET" | outpost config seal --box-key x25519:…\n  Prints sealed:v1:… to paste into the site config in place of the secret.\n',
      (a) => a.values['box-key']);
    if (typeof a === 'number') return a;
    try {
      const secret = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
      if (!secret) { process.stderr.write('outpost config seal: nothing on stdin\n'); return 2; }
      process.stdout.write(`${seal(secret, parseBoxPublicKey(a.values['box-key']!))}\n`);
      return 0;
    } catch (err) {
      process.stderr.write(`outpost config seal: ${(err as Error).message}\n`);
      return 1;
    }
  },
};
