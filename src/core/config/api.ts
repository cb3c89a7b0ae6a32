import { z } from 'zod';
import { listen } from './common.ts';

export const apiSchema = z.object({
  enabled: z.boolean().default(true),
  /** The management listener; never the voice VLAN. */
  listen: listen.prefault({ port: 8080 }),
  maxBodyBytes: z.number().int().positive().default(1024 * 1024),
}).strict();
export type ApiConfig = z.infer<typeof apiSchema>;
