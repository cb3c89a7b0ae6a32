import { z } from 'zod';
import { duration, listen } from './common.ts';

export const apiSchema = z.object({
  enabled: z.boolean().default(true),
  /** The management listener; never the voice VLAN. */
  listen: listen.prefault({ port: 8080 }),
  maxBodyBytes: z.number().int().positive().default(1024 * 1024),
  /**
   * HTTPS for the management API. `auto`: HTTPS unless the listener is a loopback address.
   * The certificate is issued by the site CA in <stateDir>/tls unless cert and key are given.
   */
  tls: z.object({
    mode: z.enum(['auto', 'on', 'off']).default('auto'),
    cert: z.string().optional(),
    key: z.string().optional(),
    /** Extra names for the generated certificate (the listen address and mgmt.<domain> are always in). */
    altNames: z.array(z.string()).default([]),
  }).strict().prefault({}),
  /** User sessions (POST /api/v1/auth/login): absolute lifetime and idle timeout. */
  sessions: z.object({
    lifetime: duration.prefault('12h'),
    idleTimeout: duration.prefault('30m'),
  }).strict().prefault({}),
  /**
   * Dual approval (DESIGN): a change of these kinds by a user waits until a second user with the
   * same permission approves it. `templates`: local template overrides (PUT /api/v1/templates).
   * The box's API token (automation on the box itself) is not held back.
   */
  approvals: z.object({
    templates: z.boolean().default(true),
    expireAfter: duration.prefault('24h'),
  }).strict().prefault({}),
  /** Failed logins lock the source address and the user name out. */
  login: z.object({
    lockoutFailures: z.number().int().positive().default(5),
    lockoutWindow: duration.prefault('15m'),
    lockoutDuration: duration.prefault('15m'),
  }).strict().prefault({}),
}).strict();
export type ApiConfig = z.infer<typeof apiSchema>;
