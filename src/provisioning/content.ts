// The provisioning content of a site: templates, zone profiles, positions and assignment rules.
// Written as YAML files in a directory (a site without central), or carried in a signed bundle
// from the central ACS (issue 7) — the same form either way. This file holds the types and the
// per-file schema; parse.ts turns YAML text into a checked ProvisioningContent.

import { z } from 'zod';
import { cidr4, duration } from '../core/config/common.ts';

export type Criticality = 'critical' | 'high' | 'normal' | 'low';
export type ZoneMode = 'enforce' | 'report-only';

/** Canonical intent values (strings; see intents.ts canonicalIntentValue), keyed by intent name. */
export type Values = Record<string, string>;

export interface Template {
  id: string;
  name: string;
  description: string;
  /** A template this one refines (its values first, then ours). */
  extends: string | null;
  values: Values;
}

export interface Zone {
  id: string;
  name: string;
  criticality: Criticality;
  template: string;
  /** enforce: drift is corrected; report-only: drift is reported and left alone. */
  mode: ZoneMode;
  /** PeriodicInformInterval while onboarding and in steady state (ms). */
  inform: { onboarding: number; steady: number };
  /** A phone is silent after this many expected Informs are missed. */
  missedInforms: number;
  /** Re-read every managed value at least this often (ms), to catch drift without notification. */
  verifyEvery: number;
  values: Values;
}

export interface PositionMatch {
  /** DHCP option 82 remote-id (the access switch) and circuit-id (its port), RFC 3046. */
  switch?: string;
  port?: string;
  serial?: string;
  mac?: string;
}

export interface Position {
  id: string;
  name: string;
  zone: string | null;
  template: string | null;
  match: PositionMatch;
  /** Line identity and any other per-position values (`line[1].number`, …). */
  values: Values;
}

export interface RuleMatch {
  switch?: string[];
  port?: string[];
  serial?: string[];
  mac?: string[];
  oui?: string[];
  productClass?: string[];
  provisioningCode?: string[];
  subnet?: string[];
}

export interface Rule {
  name: string;
  match: RuleMatch;
  zone: string;
  template: string | null;
}

export interface ProvisioningContent {
  templates: Record<string, Template>;
  zones: Record<string, Zone>;
  positions: Record<string, Position>;
  /** Evaluated in order (files sorted by name, then document order); the first match wins. */
  rules: Rule[];
}

export const emptyContent = (): ProvisioningContent => ({ templates: {}, zones: {}, positions: {}, rules: [] });

/** Defaults by criticality (DESIGN: short while onboarding, long in steady state, fast for critical phones). */
export const CRITICALITY_DEFAULTS: Record<Criticality, { onboarding: number; steady: number; missedInforms: number; verifyEvery: number }> = {
  critical: { onboarding: 60_000, steady: 300_000, missedInforms: 2, verifyEvery: 6 * 3_600_000 },
  high: { onboarding: 60_000, steady: 900_000, missedInforms: 2, verifyEvery: 12 * 3_600_000 },
  normal: { onboarding: 120_000, steady: 3_600_000, missedInforms: 3, verifyEvery: 24 * 3_600_000 },
  low: { onboarding: 300_000, steady: 14_400_000, missedInforms: 3, verifyEvery: 72 * 3_600_000 },
};

// ---- the YAML form ------------------------------------------------------------------------------

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be letters, digits, . _ - (max 64)');
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const values = z.record(z.string(), scalar);
const oneOrMany = z.union([z.string(), z.array(z.string()).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

const templateDoc = z.object({
  name: z.string().default(''),
  description: z.string().default(''),
  extends: id.optional(),
  values: values.default({}),
}).strict();

const zoneDoc = z.object({
  name: z.string().default(''),
  criticality: z.enum(['critical', 'high', 'normal', 'low']).default('normal'),
  template: id,
  mode: z.enum(['enforce', 'report-only']).default('enforce'),
  inform: z.object({ onboarding: duration.optional(), steady: duration.optional() }).strict().default({}),
  missedInforms: z.number().int().min(1).max(100).optional(),
  verifyEvery: duration.optional(),
  values: values.default({}),
}).strict();

const lineDoc = z.object({
  enable: z.union([z.boolean(), z.string()]).optional(),
  number: z.union([z.string(), z.number()]).optional(),
  authUser: z.union([z.string(), z.number()]).optional(),
  password: z.union([z.string(), z.number()]).optional(),
  uri: z.string().optional(),
  displayName: z.union([z.string(), z.number()]).optional(),
}).strict();

const positionDoc = z.object({
  name: z.string().default(''),
  zone: id.optional(),
  template: id.optional(),
  match: z.object({
    switch: z.string().min(1).optional(),
    port: z.string().min(1).optional(),
    serial: z.string().min(1).optional(),
    mac: z.string().min(1).optional(),
  }).strict().refine((m) => Boolean(m.serial || m.mac || (m.switch && m.port)), { message: 'needs serial, mac, or switch and port' }),
  lines: z.record(z.string().regex(/^\d{1,2}$/, 'line numbers are 1–16'), lineDoc).default({}),
  values: values.default({}),
}).strict();

const ruleDoc = z.object({
  name: z.string().default(''),
  match: z.object({
    switch: oneOrMany.optional(),
    port: oneOrMany.optional(),
    serial: oneOrMany.optional(),
    mac: oneOrMany.optional(),
    oui: oneOrMany.optional(),
    productClass: oneOrMany.optional(),
    provisioningCode: oneOrMany.optional(),
    subnet: z.union([cidr4, z.array(cidr4).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])).optional(),
  }).strict().refine((m) => Object.keys(m).length > 0, { message: 'a rule needs at least one match condition' }),
  zone: id,
  template: id.optional(),
}).strict();

/** One YAML file: any of the four sections. */
export const fileSchema = z.object({
  templates: z.record(id, templateDoc).optional(),
  zones: z.record(id, zoneDoc).optional(),
  positions: z.record(id, positionDoc).optional(),
  rules: z.array(ruleDoc).optional(),
}).strict();

export type FileDoc = z.infer<typeof fileSchema>;
export type LineDoc = z.infer<typeof lineDoc>;
