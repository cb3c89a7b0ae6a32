// The bundle format (docs/sync.md "Bundle format"). One JSON document per site:
//
//   { "manifest":  { format, site, version, issuedAt, expiresAt, description?, parts: [{name, size, sha256}] },
//     "signature": { alg: "Ed25519", keyId, value } | null,
//     "parts":     { "<name>": "<UTF-8 text>" } }
//
// The signature covers SIGNING_CONTEXT + canonical JSON of the manifest, and the manifest
// carries a SHA-256 per part, so the signature covers every byte of content. Parts are named
// files (templates/x.yaml, positions.csv, firmware.yaml, …): the format knows nothing of what
// is inside them — the content model parses them after verification.

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { OutpostError } from '../../core/errors.ts';
import { canonicalJson } from './canonical.ts';

export const BUNDLE_FORMAT = 'outpost-bundle/1';
/** Domain separation: an Ed25519 signature over a bundle manifest cannot be replayed as anything else. */
export const SIGNING_CONTEXT = 'outpost-bundle/1 manifest\n';
export const LIMITS = { maxBytes: 64 * 1024 * 1024, maxParts: 10_000, maxNameLength: 200 } as const;

const SITE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Relative, forward-slash paths; no '..', no leading dot segments, no absolute paths. */
export const PART_NAME = /^(?!.*(^|\/)\.)[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;
const ISO = z.string().refine((s) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 UTC time');

export const partEntrySchema = z.object({
  name: z.string().max(LIMITS.maxNameLength).regex(PART_NAME, 'must be a relative path of letters, digits, . _ - and /'),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
}).strict();

export const manifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  site: z.string().regex(SITE_ID, 'must be a site id'),
  version: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  issuedAt: ISO,
  expiresAt: ISO,
  description: z.string().max(1000).optional(),
  parts: z.array(partEntrySchema).max(LIMITS.maxParts),
}).strict();

export const signatureSchema = z.object({
  alg: z.literal('Ed25519'),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  value: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be a base64 Ed25519 signature'),
}).strict();

export const documentSchema = z.object({
  manifest: manifestSchema,
  signature: signatureSchema.nullable(),
  parts: z.record(z.string(), z.string()),
}).strict();

export type BundleManifest = z.infer<typeof manifestSchema>;
export type BundleSignature = z.infer<typeof signatureSchema>;
export type BundleDocument = z.infer<typeof documentSchema>;
export type PartEntry = z.infer<typeof partEntrySchema>;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface ManifestInput {
  site: string;
  version: number;
  issuedAt: Date;
  expiresAt: Date;
  description?: string;
}

/** Build an unsigned bundle from named text parts (names sorted, hashes over UTF-8 bytes). */
export function buildBundle(input: ManifestInput, parts: Record<string, string>): BundleDocument {
  const names = Object.keys(parts).sort();
  const manifest = {
    format: BUNDLE_FORMAT,
    site: input.site,
    version: input.version,
    issuedAt: input.issuedAt.toISOString(),
    expiresAt: input.expiresAt.toISOString(),
    ...(input.description ? { description: input.description } : {}),
    parts: names.map((name) => {
      const bytes = Buffer.from(parts[name]!, 'utf8');
      return { name, size: bytes.length, sha256: sha256Hex(bytes) };
    }),
  };
  const checked = manifestSchema.safeParse(manifest);
  if (!checked.success) throw new OutpostError('SYNC_BUNDLE_MALFORMED', describeIssues(checked.error.issues, 'manifest'));
  if (checked.data.expiresAt <= checked.data.issuedAt) throw new OutpostError('SYNC_BUNDLE_MALFORMED', 'manifest.expiresAt must be after issuedAt');
  return { manifest: checked.data, signature: null, parts: Object.fromEntries(names.map((n) => [n, parts[n]!])) };
}

/** The bytes an Ed25519 signature covers. */
export function signedMessage(manifest: BundleManifest): Buffer {
  return Buffer.from(SIGNING_CONTEXT + canonicalJson(manifest), 'utf8');
}

/** Serialize for storage and transport (stable: manifest keys in canonical order). */
export function serializeBundle(doc: BundleDocument): Buffer {
  return Buffer.from(`{"manifest":${canonicalJson(doc.manifest)},\n"signature":${canonicalJson(doc.signature)},\n"parts":${canonicalJson(doc.parts)}}\n`, 'utf8');
}

/** Parse the JSON structure only (no signature or hash check: see verify.ts). */
export function parseBundle(bytes: Buffer | string, maxBytes: number = LIMITS.maxBytes): BundleDocument {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  if (size > maxBytes) throw new OutpostError('SYNC_BUNDLE_MALFORMED', `${size} bytes exceeds the limit of ${maxBytes}`);
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (err) {
    throw new OutpostError('SYNC_BUNDLE_MALFORMED', `not JSON (${(err as Error).message})`);
  }
  const r = documentSchema.safeParse(raw);
  if (!r.success) throw new OutpostError('SYNC_BUNDLE_MALFORMED', describeIssues(r.error.issues, ''));
  return r.data;
}

function describeIssues(issues: z.core.$ZodIssue[], prefix: string): string {
  return issues.slice(0, 5).map((i) => {
    const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
    return `${path || 'bundle'}: ${i.message}`;
  }).join('; ');
}
