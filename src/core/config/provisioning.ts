import { z } from 'zod';
import { duration } from './common.ts';

// Owned by the provisioning engine (src/provisioning, services/acs/provision.ts; README there).
export const provisioningSchema = z.object({
  enabled: z.boolean().default(true),
  /**
   * Directory of YAML files (templates, zones, positions, rules) for a site without central.
   * Loaded at start when present; a central bundle, once applied, takes precedence.
   */
  directory: z.string().optional(),
  /** Zone for phones no position or rule claims (with unassigned: zone-default). */
  defaultZone: z.string().optional(),
  /** What an unassigned phone gets: the default zone's template, or nothing (it is listed either way). */
  unassigned: z.enum(['zone-default', 'none']).default('zone-default'),
  /** Read back written values (tr069-protocol.md §11.3: never rely on ParameterKey alone). */
  verify: z.enum(['readback', 'trust']).default('readback'),
  /** SetParameterAttributes Notification=2 on critical values, so local edits are seen at once. */
  activeNotification: z.boolean().default(true),
  /** Parameters per GetParameterValues / SetParameterValues / SetParameterAttributes. */
  maxBatch: z.number().int().min(1).max(1000).default(100),
  /** How often silent phones and content changes are checked. */
  sweepInterval: duration.prefault('10s'),
  /** Extra time before a phone that missed its Informs is called silent (network, retry back-off). */
  silentGrace: duration.prefault('30s'),
  /** Connection requests per second when a template change must reach phones now. */
  rolloutRate: z.number().int().min(1).max(10_000).default(50),
}).strict();
export type ProvisioningConfig = z.infer<typeof provisioningSchema>;
