// The firmware catalogue carried in a bundle (part FIRMWARE_CATALOGUE_PART, YAML): one manifest
// per image — vendor, models, version, size and SHA-256 (DESIGN "Firmware"). Images are not in
// the bundle; a site fetches each from `url` (absolute, or relative to the URL the bundle came
// from; default `firmware/<file>`) and keeps it only if size and SHA-256 match.

import { parseDocument, LineCounter } from 'yaml';
import { z } from 'zod';
import { OutpostError } from '../../core/errors.ts';
import { lineOf } from '../../core/yaml.ts';

export const FIRMWARE_CATALOGUE_PART = 'firmware.yaml';
/** Same rule as the ACS file server's names (services/acs/files.ts). */
export const FIRMWARE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

export const firmwareImageSchema = z.object({
  file: z.string().regex(FIRMWARE_FILE, 'must be a plain file name (letters, digits, . _ -)'),
  vendor: z.string().min(1).max(100),
  models: z.array(z.string().min(1).max(100)).min(1),
  version: z.string().min(1).max(100),
  size: z.number().int().positive().max(2 ** 40),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
  url: z.string().min(1).max(2000).optional(),
  /** The vendor's own signature over the image, passed through to the firmware store. */
  signature: z.string().max(10_000).optional(),
}).strict();

export const catalogueSchema = z.object({
  images: z.array(firmwareImageSchema).default([]),
}).strict().superRefine((c, ctx) => {
  const seen = new Set<string>();
  c.images.forEach((img, i) => {
    if (seen.has(img.file)) ctx.addIssue({ code: 'custom', path: ['images', i, 'file'], message: `duplicate file ${img.file}` });
    seen.add(img.file);
  });
});

export type FirmwareImage = z.infer<typeof firmwareImageSchema>;
export type FirmwareCatalogue = z.infer<typeof catalogueSchema>;

/** Parse the catalogue text; errors name the part, the field and the line. */
export function parseCatalogue(text: string, source = FIRMWARE_CATALOGUE_PART): FirmwareCatalogue {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new OutpostError('CONFIG_INVALID', `${source} line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  const r = catalogueSchema.safeParse(doc.toJS() ?? {});
  if (r.success) return r.data;
  const msgs = r.error.issues.slice(0, 5).map((i) => {
    const path = i.path.filter((p): p is string | number => typeof p !== 'symbol');
    const line = lineOf(doc, lc, path); // a missing key → its parent's line
    const what = i.code === 'unrecognized_keys' ? `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')}` : i.message;
    return `${source} ${path.join('.') || '(top)'}${line ? ` (line ${line})` : ''}: ${what}`;
  });
  throw new OutpostError('CONFIG_INVALID', msgs.join('; '));
}

/** The parts the provisioning content model reads: YAML documents other than the catalogue. */
export function provisioningParts(parts: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(parts).filter(([name]) => /\.ya?ml$/.test(name) && name !== FIRMWARE_CATALOGUE_PART));
}
