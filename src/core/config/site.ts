import { z } from 'zod';
import { hostname } from './common.ts';

export const siteSchema = z.object({
  /** Short identifier used by central sync and in reports. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes'),
  /** The site's DNS domain: the ACS is acs.<domain>. */
  domain: hostname,
  name: z.string().default(''),
}).strict();
export type SiteConfig = z.infer<typeof siteSchema>;
