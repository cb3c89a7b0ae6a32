// The `sync` config section (owned by services/sync; keys documented in
// src/services/sync/README.md and docs/sync.md). A site with no `central` runs standalone: it
// takes its bundle from the USB config (`initialBundle`) and never talks to a WAN.
import { z } from 'zod';
import { duration } from './common.ts';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;
/** HTTPS, or HTTP to a loopback address (labs, tests, a local TLS-terminating proxy). */
const centralUrl = z.string().url().refine((u) => {
  const url = new URL(u);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
}, { message: 'must be an https:// URL (http:// only to a loopback address)' });

/** `ed25519:` + 43 base64url characters, or a PEM public key (checked again when it is used). */
const publicKey = z.string().refine((s) => /^ed25519:[A-Za-z0-9_-]{43}$/.test(s.trim()) || s.trim().startsWith('-----BEGIN PUBLIC KEY-----'),
  { message: "must be 'ed25519:' and 43 base64url characters (outpost keys generate prints it)" });

export const syncSchema = z.object({
  enabled: z.boolean().default(true),
  central: z.object({
    /** Base URL of the central ACS (outpost central or any HTTPS server / object store). */
    url: centralUrl,
    /** This site's credential at central (Bearer). May be sealed for the box in the USB file. */
    token: z.string({ error: (i) => (i.input === undefined ? 'missing: the site credential central issued (outpost central token), sealed for the box if you like' : 'must be a string') })
      .min(16, 'must be at least 16 characters').max(512),
    /** Where the bundle is fetched; default <url>/v1/sites/<site.id>/bundle. */
    bundleUrl: centralUrl.optional(),
    /** Where reports are posted; default <url>/v1/sites/<site.id>/reports. */
    reportUrl: centralUrl.optional(),
    /** Send reports (off when bundles come from a plain HTTPS server or object store with no report endpoint). */
    reports: z.boolean().default(true),
    /** PEM file of a CA to trust for central besides the system store. */
    ca: z.string().optional(),
    /** Per request: connect and idle-socket timeout. */
    timeout: duration.prefault('30s'),
  }).strict().optional(),
  /** The bundle signing public key; every bundle must verify against it. */
  publicKey: publicKey.optional(),
  /** A signed bundle file applied when it is newer than the one in force (USB, no-central sites). */
  initialBundle: z.string().optional(),
  /** How often central is polled while the WAN is up (jittered ±10 %). */
  interval: duration.prefault('2m'),
  /** Back-off after failures: min · 2^(n-1), at most max, with jitter. */
  retry: z.object({ min: duration.prefault('10s'), max: duration.prefault('10m') }).strict().prefault({}),
  wan: z.object({
    /** Consecutive network failures that turn the WAN from degraded to down. */
    downAfterFailures: z.number().int().positive().default(3),
    /** A successful exchange slower than this leaves the WAN degraded. */
    slow: duration.prefault('10s'),
  }).strict().prefault({}),
  /** Largest bundle accepted. */
  maxBundleBytes: z.number().int().positive().default(64 * 1024 * 1024),
  firmware: z.object({
    /** Fetch the images named in the bundle's firmware catalogue into the firmware store. */
    download: z.boolean().default(true),
  }).strict().prefault({}),
  outbox: z.object({
    /** Records kept while central is unreachable; beyond it the oldest are dropped and counted. */
    maxRecords: z.number().int().positive().default(1_000_000),
    batchRecords: z.number().int().positive().max(50_000).default(2000),
    batchBytes: z.number().int().positive().default(2 * 1024 * 1024),
  }).strict().prefault({}),
}).strict().superRefine((c, ctx) => {
  if (!c.enabled) return;
  if ((c.central || c.initialBundle) && !c.publicKey) {
    ctx.addIssue({ code: 'custom', path: ['publicKey'], message: 'a bundle public key is needed to verify bundles (central or initialBundle is set)' });
  }
  if (c.retry.min > c.retry.max) ctx.addIssue({ code: 'custom', path: ['retry', 'min'], message: 'must not exceed retry.max' });
});
export type SyncConfig = z.infer<typeof syncSchema>;
