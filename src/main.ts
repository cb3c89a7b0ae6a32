#!/usr/bin/env node
// Process entry (STYLE: only main.ts owns the process): argv, load + freeze config, start the
// app, signals, systemd readiness. Nothing else reads argv or the environment.

import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfigFile, parseConfig, ConfigError, formatProblem } from './core/config/load.ts';
import { LAB_CONFIG } from './core/config/lab.ts';
import { BOX_KEY_FILE, boxSecretOpener } from './cli/box-secrets.ts';
import type { Config } from './core/config/schema.ts';
import type { App } from './app.ts';
import { isOutpostError } from './core/errors.ts';
import { notifySystemd, startWatchdog } from './core/systemd.ts';
import { seaNativeBinding, VERSION } from './core/runtime.ts';
import { COMMANDS } from './cli/commands.ts';

const HELP = `outpost ${VERSION} — survivable management node for SIP phones (DHCP, DNS, TR-069 ACS, STUN)

Usage:
  outpost serve --config FILE     run Outpost with a site config (YAML)
  outpost serve --lab             run the built-in lab site on loopback (what npm start does)
  outpost config check FILE       validate a site config; errors name the field and line
  outpost --version               print the version
  outpost --help                  this text
`;

function helpText(): string {
  return HELP + (COMMANDS.length ? `\nMore commands:\n${COMMANDS.map((c) => `  outpost ${c.name.padEnd(26)}${c.summary}`).join('\n')}\n` : '');
}

async function main(argv: string[]): Promise<number> {
  // Sub-commands from src/cli take their own options: match the leading words, longest first.
  const words = argv.slice(0, argv.findIndex((a) => a.startsWith('-')) >>> 0);
  const extra = [...COMMANDS].sort((a, b) => b.name.length - a.name.length)
    .find((c) => c.name.split(' ').every((w, i) => words[i] === w));
  if (extra) return extra.run(argv.slice(extra.name.split(' ').length));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      lab: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.version) { process.stdout.write(`${VERSION}\n`); return 0; }
  const [cmd, sub, arg] = positionals;
  if (values.help || !cmd) { process.stdout.write(helpText()); return values.help ? 0 : 2; }

  if (cmd === 'config' && sub === 'check') return configCheck(arg ?? values.config);

  if (cmd === 'serve') {
    let config: Config;
    try {
      if (values.lab) config = parseConfig(labConfigText(), 'built-in lab config');
      else if (values.config) config = loadConfigFile(values.config, { openSecret: boxSecretOpener() });
      else { process.stderr.write('outpost serve: --config FILE or --lab is needed\n'); return 2; }
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.code}\n${err.problems.map((p) => '  ' + formatProblem(p)).join('\n')}\n`);
        return 1;
      }
      throw err;
    }
    return serve(config, values.lab === true);
  }

  process.stderr.write(`outpost: unknown command '${[cmd, sub].filter(Boolean).join(' ')}'\n\n${helpText()}`);
  return 2;
}

/** `outpost config check FILE`: every problem with its field and line; exit 0, 1 or 2. */
function configCheck(file: string | undefined): number {
  if (!file) { process.stderr.write('outpost config check: a FILE is needed\n'); return 2; }
  try {
    // On the box, sealed values are opened (and must open); elsewhere (plant IT's laptop) they
    // are checked as opaque strings and counted.
    const onBox = boxSecretOpener();
    let unopened = 0;
    const openSecret = (token: string, stateDir: string) => {
      if (existsSync(join(stateDir, BOX_KEY_FILE))) return onBox(token, stateDir);
      unopened++;
      return token;
    };
    loadConfigFile(file, { openSecret });
    process.stdout.write(`${file}: OK${unopened ? ` (${unopened} sealed value${unopened > 1 ? 's' : ''} not opened: no box key here — outpost config import --dry-run on the box opens them)` : ''}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${file}: ${err.code}\n${err.problems.map((p) => '  ' + formatProblem(p)).join('\n')}\n`);
      return 1;
    }
    throw err;
  }
}

/**
 * The lab config with a bootstrap credential generated on first start (no default passwords):
 * kept in <stateDir>/lab-bootstrap.txt (0600) so simulated phones can be pointed at it; the
 * first admin account's generated password likewise in <stateDir>/lab-admin.txt.
 */
function labConfigText(): string {
  const dir = resolve('var/lab');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'lab-bootstrap.txt');
  if (!existsSync(file)) writeFileSync(file, `username: lab-bootstrap\npassword: ${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  const creds = readFileSync(file, 'utf8');
  const password = /password: (\S+)/.exec(creds)?.[1] ?? '';
  // The lab's first admin account: a generated password, kept beside the bootstrap one.
  const adminFile = join(dir, 'lab-admin.txt');
  if (!existsSync(adminFile)) writeFileSync(adminFile, `username: lab-admin\npassword: ${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  const adminPassword = /password: (\S+)/.exec(readFileSync(adminFile, 'utf8'))?.[1] ?? '';
  return `${LAB_CONFIG}  auth:\n    bootstrap: { username: lab-bootstrap, password: ${JSON.stringify(password)} }\n`
    + `admin: { username: lab-admin, password: ${JSON.stringify(adminPassword)} }\n`;
}

function printWhereToLook(app: App, lab: boolean): void {
  const lines: string[] = [];
  app.events.on('acs.listening', (a) => lines.push(`  ACS (TR-069):    ${a.url}${a.caFile ? `   (site CA: ${a.caFile})` : ''}`));
  app.events.on('api.listening', (a) => lines.push(`  Management API:  ${a.url}api/v1/health   (bearer token in ${a.tokenFile})`));
  app.events.on('app.ready', () => {
    const c = app.config;
    if (c.dns.enabled) lines.push(`  DNS (site zone):  ${c.dns.listen.map((l) => `${l.host}:${l.port}`).join(', ')}   (try: dig -p ${c.dns.listen[0]!.port} @${c.dns.listen[0]!.host} acs.${c.site.domain})`);
    if (c.stun.enabled) lines.push(`  STUN (TR-069 G): ${c.stun.listen.host}:${c.stun.listen.port}`);
    if (c.dhcp.enabled) lines.push('  DHCP:            enabled (see dhcp in the config)');
    if (lab) lines.push(`  Bootstrap login: ${join(app.stateDir, 'lab-bootstrap.txt')}`, `  Admin login:     ${join(app.stateDir, 'lab-admin.txt')}   (POST /api/v1/auth/login)`, `  Simulated phones: npm run sim -- --help`);
    process.stderr.write(`\nOutpost ${VERSION} is running${lab ? ' on the built-in lab site' : ''} (state in ${app.stateDir}):\n${lines.join('\n')}\n\n`);
  });
}

async function serve(config: Config, lab: boolean): Promise<number> {
  const nativeBinding = seaNativeBinding(config.stateDir);
  // Loaded only to serve: --help, --version and config check stay fast.
  const { createApp } = await import('./app.ts');
  const app = createApp({ config, ...(nativeBinding ? { nativeBinding } : {}) });
  printWhereToLook(app, lab);
  let stopping = false;
  let stopWatchdog = () => {};
  let keepAlive: NodeJS.Timeout | undefined;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping');
    notifySystemd('STOPPING=1');
    stopWatchdog();
    clearInterval(keepAlive);
    await app.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    await app.start();
  } catch (err) {
    app.log.fatal({ err }, 'start failed');
    await app.stop();
    return 1;
  }
  notifySystemd('READY=1');
  stopWatchdog = startWatchdog();
  // Stay up until a signal even when no socket holds the event loop (every listener failed to
  // bind and is retrying on unref'd timers): a node that exits silently serves nobody.
  keepAlive = setInterval(() => {}, 1 << 30);
  app.events.emit('app.ready', { lab });
  return -1; // keep running
}

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exit(code);
}, (err: unknown) => {
  process.stderr.write(`outpost: ${isOutpostError(err) ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});

