import { z } from 'zod';
import { listen } from './common.ts';

// Owned by services/stun: extend this section as the service grows.
export const stunSchema = z.object({
  enabled: z.boolean().default(false),
  listen: listen.optional(),
}).strict();
export type StunConfig = z.infer<typeof stunSchema>;
