// The reference central's config (YAML, `outpost central --config FILE`). Errors name the field
// and line like the site config (core/config/load.ts does the same for a site).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { listen } from '../core/config/common.ts';
import { OutpostError } from '../core/errors.ts';
import { lineOf } from '../core/yaml.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be the SHA-256 of the token in hex (outpost central token prints it)');

export const centralSchema = z.object({
  listen: listen.prefault({ port: 8443 }),
  /** <site>.bundle.json per site and firmware/<file> images. */
  bundleDir: z.string(),
  database: z.string(),
  tls: z.object({ cert: z.string(), key: z.string() }).strict().optional(),
  /** Token hash for GET /v1/sites (the central team's listing). */
  adminTokenSha256: sha256,
  sites: z.array(z.object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes'),
    tokenSha256: sha256,
  }).strict()).default([]),
  maxReportBytes: z.number().int().positive().default(16 * 1024 * 1024),
  log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).strict().prefault({}),
}).strict().superRefine((c, ctx) => {
  const seen = new Set<string>();
  c.sites.forEach((s, i) => {
    if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['sites', i, 'id'], message: `duplicate site ${s.id}` });
    seen.add(s.id);
  });
});
export type CentralConfig = z.infer<typeof centralSchema>;

/** Parse; relative paths are taken from the config file's directory. */
export function parseCentralConfig(text: string, source: string, baseDir = '.'): CentralConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new OutpostError('CONFIG_PARSE', `${source} line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  const r = centralSchema.safeParse(doc.toJS() ?? {});
  if (!r.success) {
    throw new OutpostError('CONFIG_INVALID', r.error.issues.map((i) => {
      const path = i.path.filter((p): p is string | number => typeof p !== 'symbol');
      const full = i.code === 'unrecognized_keys' ? [...path, i.keys[0]!] : path;
      const line = lineOf(doc, lc, full);
      const msg = i.code === 'unrecognized_keys' ? `unknown key ${i.keys.map((k) => `'${k}'`).join(', ')}` : i.message;
      return `${source}: ${path.join('.') || '(top)'}${line ? ` (line ${line})` : ''}: ${msg}`;
    }).join('; '));
  }
  const c = r.data;
  const abs = (p: string) => resolve(baseDir, p);
  return { ...c, bundleDir: abs(c.bundleDir), database: c.database === ':memory:' ? c.database : abs(c.database), ...(c.tls ? { tls: { cert: abs(c.tls.cert), key: abs(c.tls.key) } } : {}) };
}

export function loadCentralConfig(file: string): CentralConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new OutpostError('CONFIG_READ', `${file}: ${(err as Error).message}`);
  }
  return parseCentralConfig(text, file, dirname(resolve(file)));
}
