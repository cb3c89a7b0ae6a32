// Site → central reports (docs/sync.md "Reports"). A site sends its durable outbox in batches:
//
//   POST <reportUrl>   { site, stream, dropped, bundleVersion, records: [{ seq, kind, at, payload }] }
//   200                { ackedThrough, accepted, duplicates }
//
// `stream` is a random id fixed for the life of a site database; `seq` increases by one per
// record in that stream. Central stores (site, stream, seq) once and answers duplicates as
// accepted, so a batch resent after a lost answer is delivered exactly once. The site deletes
// records up to `ackedThrough` only after it has the answer.

import { z } from 'zod';

export const REPORT_KINDS = ['inventory', 'compliance', 'event', 'audit'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const COMPLIANCE_STATES = ['compliant', 'provisioning', 'drifted', 'failed', 'silent', 'unknown'] as const;
export type ComplianceState = (typeof COMPLIANCE_STATES)[number];
export const KIND_NAME = /^[a-z][a-z0-9._-]{0,39}$/;
export const MAX_PAYLOAD_BYTES = 64 * 1024;

const deviceId = z.string().min(1).max(300);
const text = (max: number) => z.string().max(max);

/** A device as the site knows it (one record per change; the latest by seq wins at central). */
export const inventorySchema = z.object({
  deviceId,
  oui: text(16).optional(),
  productClass: text(64).optional(),
  serial: text(64).optional(),
  manufacturer: text(128).optional(),
  model: text(128).optional(),
  softwareVersion: text(64).optional(),
  ip: text(64).optional(),
  mac: text(32).optional(),
  position: text(200).optional(),
  /** The device left the site's inventory. */
  removed: z.boolean().optional(),
}).strict();

/** A device's compliance state (DESIGN "Compliance and drift"). */
export const complianceSchema = z.object({
  deviceId,
  state: z.enum(COMPLIANCE_STATES),
  detail: text(1000).optional(),
}).strict();

/** Something that happened (a session, a factory reset, a rejected bundle, a WAN outage). */
export const eventSchema = z.object({
  type: text(64).min(1),
  deviceId: deviceId.optional(),
  detail: text(2000).optional(),
}).strict();

/** An entry of the site's audit log (who, what, from where, result). */
export const auditSchema = z.object({
  actor: text(128).min(1),
  action: text(128).min(1),
  target: text(300).optional(),
  from: text(128).optional(),
  result: text(200),
  hash: text(128).optional(),
}).strict();

export const PAYLOAD_SCHEMAS: Record<ReportKind, z.ZodType> = {
  inventory: inventorySchema, compliance: complianceSchema, event: eventSchema, audit: auditSchema,
};

export type InventoryPayload = z.infer<typeof inventorySchema>;
export type CompliancePayload = z.infer<typeof complianceSchema>;
export type EventPayload = z.infer<typeof eventSchema>;
export type AuditPayload = z.infer<typeof auditSchema>;
export interface PayloadOf { inventory: InventoryPayload; compliance: CompliancePayload; event: EventPayload; audit: AuditPayload }

export const reportRecordSchema = z.object({
  seq: z.number().int().positive(),
  kind: z.string().regex(KIND_NAME),
  at: z.string().max(40),
  payload: z.unknown(),
}).strict();

export const reportBatchSchema = z.object({
  site: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  stream: z.string().regex(/^[0-9a-f]{32}$/),
  /** Records the site dropped because its outbox was full (a total, not per batch). */
  dropped: z.number().int().nonnegative(),
  bundleVersion: z.number().int().positive().nullable(),
  records: z.array(reportRecordSchema).max(50_000),
}).strict().refine((b) => b.records.every((r, i) => i === 0 || r.seq > b.records[i - 1]!.seq), { message: 'records must be in increasing seq order', path: ['records'] });

export const reportAckSchema = z.object({
  ackedThrough: z.number().int().nonnegative(),
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
}).strict();

export type ReportRecord = z.infer<typeof reportRecordSchema>;
export type ReportBatch = z.infer<typeof reportBatchSchema>;
export type ReportAck = z.infer<typeof reportAckSchema>;

/** Validate a payload of a known kind; other kinds (from newer sites) pass through unchecked. */
export function checkPayload(kind: string, payload: unknown): { ok: true } | { ok: false; message: string } {
  const schema = (PAYLOAD_SCHEMAS as Record<string, z.ZodType | undefined>)[kind];
  if (!schema) return KIND_NAME.test(kind) ? { ok: true } : { ok: false, message: `kind '${kind.slice(0, 40)}' is not a report kind name` };
  const r = schema.safeParse(payload);
  return r.success ? { ok: true } : { ok: false, message: r.error.issues.slice(0, 3).map((i) => `${[kind, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ') };
}
