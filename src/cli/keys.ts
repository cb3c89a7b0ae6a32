// `outpost keys generate`: an Ed25519 key pair for signing site bundles (central team only).
// The private key goes to a file (0600, never overwritten); the public key is printed in the
// one-line form a site config takes (sync.publicKey).
import { writeFileSync } from 'node:fs';
import { generateKeyPair } from '../protocols/bundle/index.ts';
import { commandArgs } from './args.ts';
import type { CliCommand } from './commands.ts';

export const keysGenerate: CliCommand = {
  name: 'keys generate',
  summary: 'new Ed25519 bundle signing key: --out FILE (private, 0600); prints the public key',
  async run(argv) {
    const a = commandArgs(argv, { options: { out: { type: 'string', short: 'o' } } },
      'Usage: outpost keys generate --out FILE\n  Writes the private key to FILE (mode 0600, refuses to overwrite) and prints the public key\n  to put in each site config as sync.publicKey. Keep FILE offline; never copy it to a site.\n',
      (a) => a.values.out);
    if (typeof a === 'number') return a;
    const out = a.values.out!;
    const k = generateKeyPair();
    try {
      writeFileSync(out, k.privateKeyPem, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      process.stderr.write(`outpost keys generate: ${out}: ${(err as NodeJS.ErrnoException).code === 'EEXIST' ? 'exists (a signing key is never overwritten)' : (err as Error).message}\n`);
      return 1;
    }
    process.stdout.write(`private key: ${out} (keep it offline)\nkey id:      ${k.keyId}\npublic key:  ${k.publicKey}\n\nSite config:\n  sync:\n    publicKey: ${k.publicKey}\n`);
    return 0;
  },
};
