// `outpost users hash-password` — the scrypt hash for `admin.passwordHash` in a site config, for
// central teams that prepare configs without the box key. `outpost users reset-password NAME` —
// the break-glass path on the box's console (DESIGN "Management plane"): a new random password
// for a user (created as admin with --create), shown once, the user's sessions closed, audited
// as actor 'console'. It writes the database beside a running Outpost (SQLite WAL, busy timeout).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfigFile, ConfigError, formatProblem } from '../core/config/load.ts';
import { systemClock } from '../core/clock.ts';
import { seaNativeBinding } from '../core/runtime.ts';
import { secretBox } from '../core/secrets.ts';
import { hashPasswordSync, passwordProblem } from '../core/passwords.ts';
import { openStore } from '../store/index.ts';
import { UserRepo } from '../store/users.ts';
import { AuditRepo } from '../store/audit.ts';
import { boxSecretOpener } from './box-secrets.ts';
import { commandArgs } from './args.ts';
import type { CliCommand } from './commands.ts';

const DEFAULT_CONFIG = '/etc/outpost/outpost.yaml';

export const usersHashPassword: CliCommand = {
  name: 'users hash-password',
  summary: 'print the scrypt hash of a password read from stdin (for admin.passwordHash): [--username NAME]',
  async run(argv) {
    const a = commandArgs(argv, { options: { username: { type: 'string' } } },
      'Usage: printf %s "$PASSWORD" | outpost users hash-password [--username NAME]\n  Prints scrypt$… for admin.passwordHash in a site config. The password is checked against the policy.\n');
    if (typeof a === 'number') return a;
    const password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
    const problem = passwordProblem(password, a.values.username);
    if (problem) { process.stderr.write(`outpost users hash-password: the password ${problem}\n`); return 1; }
    process.stdout.write(`${hashPasswordSync(password)}\n`);
    return 0;
  },
};

export const usersResetPassword: CliCommand = {
  name: 'users reset-password',
  summary: 'break-glass on the console: a new random password for NAME [--create] [--config FILE]',
  async run(argv) {
    const a = commandArgs(argv, { allowPositionals: true, options: { config: { type: 'string', short: 'c' }, create: { type: 'boolean' } } },
      `Usage: outpost users reset-password NAME [--create] [--config FILE]   (default ${DEFAULT_CONFIG})
  Sets a new random password for NAME (and enables it), closes its sessions and prints the password
  once. With --create, a missing NAME is created with the admin role. Recorded in the audit log.\n`,
      (a) => a.positionals[0]);
    if (typeof a === 'number') return a;
    const { values } = a;
    const name = a.positionals[0]!;
    let stateDir: string;
    try {
      stateDir = resolve(loadConfigFile(values.config ?? DEFAULT_CONFIG, { openSecret: boxSecretOpener() }).stateDir);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`outpost users reset-password: ${err.problems.map(formatProblem).join('; ')}\n`);
      return 1;
    }
    const nativeBinding = seaNativeBinding(stateDir);
    const store = openStore({ file: join(stateDir, 'outpost.db'), clock: systemClock, secrets: secretBox(randomBytes(32)), ...(nativeBinding ? { nativeBinding } : {}) });
    try {
      const users = new UserRepo(store);
      const audit = new AuditRepo(store);
      const existing = users.get(name);
      if (!existing && !values.create) { process.stderr.write(`outpost users reset-password: no user ${name} (add --create to make an admin)\n`); return 1; }
      const password = randomBytes(18).toString('base64url');
      const hash = hashPasswordSync(password);
      await store.commit(() => {
        if (existing) {
          users.setPassword(existing.username, hash, { enable: true });
          users.closeSessionsOf(existing.username);
        } else {
          users.create({ username: name, role: 'admin', passwordHash: hash, source: 'console' });
        }
        audit.append({ actor: 'console', action: existing ? 'user.reset' : 'user.create', target: existing ? `${existing.username} (password, enabled)` : `${name} (role admin)`, result: 'ok' });
      });
      process.stdout.write(`${existing ? existing.username : name}: new password (shown once): ${password}\n`);
      return 0;
    } finally {
      store.close();
    }
  },
};
