import { z } from 'zod';
import { listen } from './common.ts';

// Owned by services/dhcp: extend this section as the service grows.
export const dhcpSchema = z.object({
  enabled: z.boolean().default(false),
  listen: listen.optional(),
}).strict();
export type DhcpConfig = z.infer<typeof dhcpSchema>;
