import { z } from 'zod';
import { listen } from './common.ts';

// Owned by services/dns: extend this section as the service grows.
export const dnsSchema = z.object({
  enabled: z.boolean().default(false),
  listen: listen.optional(),
}).strict();
export type DnsConfig = z.infer<typeof dnsSchema>;
