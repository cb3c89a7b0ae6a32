// One typed config schema (STYLE habit 8): validated once, frozen, each service gets its slice.
import { z } from 'zod';
import { siteSchema } from './site.ts';
import { acsSchema } from './acs.ts';
import { apiSchema } from './api.ts';
import { dhcpSchema } from './dhcp.ts';
import { dnsSchema } from './dns.ts';
import { stunSchema } from './stun.ts';
import { provisioningSchema } from './provisioning.ts';
import { syncSchema } from './sync.ts';
import { adminSchema } from './admin.ts';

export const configSchema = z.object({
  site: siteSchema,
  /** Where the database, generated certificates, the API token and files live. */
  stateDir: z.string().default('/var/lib/outpost'),
  log: z.object({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  }).strict().prefault({}),
  acs: acsSchema.prefault({}),
  api: apiSchema.prefault({}),
  dhcp: dhcpSchema.prefault({}),
  dns: dnsSchema.prefault({}),
  stun: stunSchema.prefault({}),
  provisioning: provisioningSchema.prefault({}),
  sync: syncSchema.prefault({}),
  /** The first admin account of the management plane (required by config import). */
  admin: adminSchema.optional(),
}).strict();

export type Config = z.infer<typeof configSchema>;
export type { SiteConfig } from './site.ts';
export type { AcsConfig } from './acs.ts';
export type { ApiConfig } from './api.ts';
export type { AdminConfig } from './admin.ts';
export type { DhcpConfig } from './dhcp.ts';
export type { DnsConfig } from './dns.ts';
export type { StunConfig } from './stun.ts';
