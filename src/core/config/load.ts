// Load the site config: YAML → validated, typed, frozen. Errors name the field and its line
// (STYLE habit 8). Nothing here runs at import time.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { lineOf } from '../yaml.ts';
import type { z } from 'zod';
import { OutpostError } from '../errors.ts';
import { configSchema, type Config } from './schema.ts';

export interface ConfigProblem {
  path: string;
  line: number | null;
  message: string;
}

export class ConfigError extends OutpostError {
  readonly problems: ConfigProblem[];
  constructor(code: 'CONFIG_PARSE' | 'CONFIG_INVALID' | 'CONFIG_READ', problems: ConfigProblem[], source: string) {
    super(code, `${source}: ` + problems.map(formatProblem).join('; '));
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line ? `line ${p.line}` : 'at top level';
  return p.path ? `${p.path} (${where}): ${p.message}` : `${where}: ${p.message}`;
}

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/**
 * Opens a `sealed:v1:…` value (a secret sealed for this box, docs/sync.md) given the config's
 * state directory, where the box key lives. Throws with a message safe to show (never the secret).
 * The CLI layer provides one (cli/site-import.ts boxSecretOpener); core cannot hold the crypto.
 */
export type SecretOpener = (token: string, stateDir: string) => string;

export interface ParseOptions {
  openSecret?: SecretOpener | undefined;
}

const SEALED = 'sealed:';

/** Replace sealed values in the parsed YAML by their plaintext, collecting a problem per failure. */
function openSealedValues(raw: unknown, doc: Document, lc: LineCounter, opener: SecretOpener | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const stateDir = resolve(typeof (raw as { stateDir?: unknown }).stateDir === 'string' ? (raw as { stateDir: string }).stateDir : '/var/lib/outpost');
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string' && node.startsWith(SEALED)) {
      const problem = (message: string) => { problems.push({ path: path.join('.'), line: lineOf(doc, lc, path), message }); return node; };
      if (!opener) return problem('a sealed value: only the box it was sealed for can open it (check it there: outpost config check)');
      try { return opener(node.trim(), stateDir); } catch (err) { return problem((err as Error).message); }
    }
    if (Array.isArray(node)) return node.map((v, i) => walk(v, [...path, i]));
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) (node as Record<string, unknown>)[k] = walk(v, [...path, k]);
    }
    return node;
  };
  walk(raw, []);
  return problems;
}

/** Parse and validate YAML text. `source` names the file in messages. */
export function parseConfig(text: string, source = 'config', opts: ParseOptions = {}): Config {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError('CONFIG_PARSE', doc.errors.map((e) => ({
      path: '', line: e.linePos?.[0]?.line ?? null, message: e.message.split('\n')[0]!,
    })), source);
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 50 }) ?? {};
  const sealedProblems = openSealedValues(raw, doc, lc, opts.openSecret);
  const result = configSchema.safeParse(raw);
  if (!result.success || sealedProblems.length > 0) {
    throw new ConfigError('CONFIG_INVALID', [...sealedProblems, ...(result.success ? [] : issuesToProblems(result.error.issues, doc, lc))], source);
  }
  return deepFreeze(result.data);
}

function issuesToProblems(issues: z.core.$ZodIssue[], doc: Document, lc: LineCounter): ConfigProblem[] {
  return issues.map((i) => {
    const path = i.path.filter((p): p is string | number => typeof p !== 'symbol');
    let message = i.message;
    let fullPath = path;
    if (i.code === 'unrecognized_keys') {
      message = `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}`;
      fullPath = [...path, i.keys[0]!];
    }
    return { path: path.join('.'), line: lineOf(doc, lc, fullPath), message };
  });
}

export function loadConfigFile(file: string, opts: ParseOptions = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('CONFIG_READ', [{ path: '', line: null, message: (err as Error).message }], file);
  }
  return parseConfig(text, file, opts);
}
