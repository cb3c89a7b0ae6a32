// Sub-commands beyond `serve` and `config check` (main.ts owns the process; these are called
// from it with the remaining argv and return an exit code). Add a command: write
// src/cli/<name>.ts exporting a CliCommand (its argv through commandArgs in args.ts) and list it here.

import { keysGenerate } from './keys.ts';
import { bundleBuild, bundleSign, bundleVerify } from './bundle.ts';
import { central, centralSites, centralToken } from './central.ts';
import { configBoxKey, configImport, configRollback, configSeal } from './config-import.ts';
import { usersHashPassword, usersResetPassword } from './users.ts';

export interface CliCommand {
  /** e.g. 'keys generate', 'bundle sign', 'central', 'config import' */
  name: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}

export const COMMANDS: CliCommand[] = [
  keysGenerate, bundleBuild, bundleSign, bundleVerify, central, centralToken, centralSites,
  configImport, configRollback, configBoxKey, configSeal, usersHashPassword, usersResetPassword,
];
