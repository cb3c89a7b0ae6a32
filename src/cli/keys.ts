// `outpost keys generate`: an Ed25519 key pair for signing site bundles (central team only).
// The private key goes to a file (0600, never overwritten); the public key is printed in the
// one-line form a site config takes (sync.publicKey).
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { generateKeyPair } from '../protocols/bundle/index.ts';
import type { CliCommand } from './commands.ts';

export const keysGenerate: CliCommand = {
  name: 'keys generate',
  summary: 'new Ed25519 bundle signing key: --out FILE (private, 0600); prints the public key',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help || !values.out) {
      process.stdout.write('Usage: outpost keys generate --out FILE\n  Writes the private key to FILE (mode 0600, refuses to overwrite) and prints the public key\n  to put in each site config as sync.publicKey. Keep FILE offline; never copy it to a site.\n');
      return values.help ? 0 : 2;
    }
    const k = generateKeyPair();
    try {
      writeFileSync(values.out, k.privateKeyPem, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      process.stderr.write(`outpost keys generate: ${values.out}: ${(err as NodeJS.ErrnoException).code === 'EEXIST' ? 'exists (a signing key is never overwritten)' : (err as Error).message}\n`);
      return 1;
    }
    process.stdout.write(`private key: ${values.out} (keep it offline)\nkey id:      ${k.keyId}\npublic key:  ${k.publicKey}\n\nSite config:\n  sync:\n    publicKey: ${k.publicKey}\n`);
    return 0;
  },
};
