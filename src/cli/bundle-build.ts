// Build a site bundle from a directory of YAML (docs/sync.md "Building a bundle"):
//   <dir>/bundle.yaml        site, version, expires (30d) or expiresAt, description — flags override
//   <dir>/**/*.yaml|yml|csv  parts (templates, zones, positions, rules, …), checked by the content model
//   <dir>/firmware.yaml      the firmware catalogue; an image without size/sha256 is measured
//                            from <dir>/firmware/<file>
//   <dir>/firmware/          images: never inside the bundle (sites fetch them separately)
// Every problem names the file and, where there is one, the line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { OutpostError, isOutpostError } from '../core/errors.ts';
import { duration } from '../core/config/common.ts';
import { buildBundle, FIRMWARE_CATALOGUE_PART, LIMITS, parseCatalogue, PART_NAME, provisioningParts, type BundleDocument } from '../protocols/bundle/index.ts';

const META = 'bundle.yaml';
const PART_FILE = /\.(ya?ml|csv)$/;

const metaSchema = z.object({
  site: z.string().optional(),
  version: z.number().int().positive().optional(),
  expires: duration.optional(),
  expiresAt: z.string().optional(),
  description: z.string().optional(),
}).strict();

export interface BuildOptions {
  site?: string | undefined;
  version?: number | undefined;
  /** ms from now */
  expiresIn?: number | undefined;
  now?: Date;
  /** The content model's parser (the provisioning engine's by default; tests inject a stub). */
  parse?: (files: Record<string, string>) => unknown;
}

function walk(dir: string, root: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    const rel = relative(root, p).split(sep).join('/');
    if (statSync(p).isDirectory()) {
      if (rel !== 'firmware') walk(p, root, out);
    } else if (PART_FILE.test(name) && rel !== META) out.push(rel);
  }
}

export function readParts(dir: string): Record<string, string> {
  const names: string[] = [];
  walk(dir, dir, names);
  const parts: Record<string, string> = {};
  for (const name of names) {
    if (!PART_NAME.test(name)) throw new OutpostError('CONFIG_INVALID', `${name}: file names in a bundle are letters, digits, . _ - and /`);
    const bytes = readFileSync(join(dir, name));
    const text = bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(bytes)) throw new OutpostError('CONFIG_INVALID', `${name}: not UTF-8 text`);
    parts[name] = text;
  }
  if (Object.keys(parts).length > LIMITS.maxParts) throw new OutpostError('CONFIG_INVALID', `more than ${LIMITS.maxParts} files`);
  return parts;
}

/** Fill in size and sha256 of catalogue entries from <dir>/firmware/<file>. */
function completeCatalogue(dir: string, text: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return text; // parseCatalogue reports it with the line
  const raw = doc.toJS() as { images?: Record<string, unknown>[] } | null;
  let changed = false;
  for (const img of raw?.images ?? []) {
    if (!img || typeof img !== 'object' || (img.size !== undefined && img.sha256 !== undefined) || typeof img.file !== 'string') continue;
    const file = join(dir, 'firmware', img.file);
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      throw new OutpostError('CONFIG_INVALID', `${FIRMWARE_CATALOGUE_PART}: image ${img.file} has no size/sha256 and firmware/${img.file} is not in ${dir}`);
    }
    img.size ??= data.length;
    img.sha256 ??= createHash('sha256').update(data).digest('hex');
    changed = true;
  }
  return changed ? `# completed by outpost bundle build (size and sha256 measured from firmware/)\n${stringify(raw)}` : text;
}

function readMeta(dir: string): z.infer<typeof metaSchema> {
  let text: string;
  try {
    text = readFileSync(join(dir, META), 'utf8');
  } catch {
    return {};
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new OutpostError('CONFIG_PARSE', `${META} line ${doc.errors[0]!.linePos?.[0]?.line ?? '?'}: ${doc.errors[0]!.message.split('\n')[0]}`);
  const r = metaSchema.safeParse(doc.toJS() ?? {});
  if (!r.success) throw new OutpostError('CONFIG_INVALID', `${META}: ${r.error.issues.map((i) => `${i.path.join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(', ') : '')}: ${i.code === 'unrecognized_keys' ? 'unknown key' : i.message}`).join('; ')}`);
  return r.data;
}

/** Read, check and assemble an unsigned bundle. Throws OutpostError naming file and line. */
export function buildFromDir(dir: string, o: BuildOptions): BundleDocument {
  const meta = readMeta(dir);
  const site = o.site ?? meta.site;
  const version = o.version ?? meta.version;
  if (!site) throw new OutpostError('CONFIG_INVALID', `no site: give --site or 'site:' in ${META}`);
  if (!version) throw new OutpostError('CONFIG_INVALID', `no version: give --version or 'version:' in ${META} (versions only go up)`);
  const now = o.now ?? new Date();
  const expiresAt = o.expiresIn !== undefined ? new Date(now.getTime() + o.expiresIn)
    : meta.expiresAt ? new Date(meta.expiresAt) : new Date(now.getTime() + (meta.expires ?? 90 * 86_400_000));
  if (Number.isNaN(expiresAt.getTime())) throw new OutpostError('CONFIG_INVALID', `${META}: expiresAt is not a date`);
  const parts = readParts(dir);
  if (parts[FIRMWARE_CATALOGUE_PART] !== undefined) {
    parts[FIRMWARE_CATALOGUE_PART] = completeCatalogue(dir, parts[FIRMWARE_CATALOGUE_PART]);
    parseCatalogue(parts[FIRMWARE_CATALOGUE_PART]);
  }
  if (o.parse) {
    try {
      o.parse(provisioningParts(parts));
    } catch (err) {
      if (isOutpostError(err)) throw err;
      throw new OutpostError('CONFIG_INVALID', (err as Error).message);
    }
  }
  return buildBundle({ site, version, issuedAt: now, expiresAt, ...(meta.description ? { description: meta.description } : {}) }, parts);
}
