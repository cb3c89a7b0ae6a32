import { z } from 'zod';
import { duration, listen } from './common.ts';

export const acsSchema = z.object({
  enabled: z.boolean().default(true),
  listen: listen.prefault({ port: 7547 }),
  /** The URL phones are given (DHCP option 43.1). Default: https://acs.<site.domain>:<port>/ */
  url: z.string().url().optional(),
  tls: z.object({
    /** Serve plain HTTP instead of HTTPS. Only for labs behind another TLS terminator. */
    plainHttp: z.boolean().default(false),
    /** PEM paths; when absent a site CA and ACS certificate are generated in the state directory. */
    cert: z.string().optional(),
    key: z.string().optional(),
    ca: z.string().optional(),
    /** Extra names for the generated certificate (acs.<domain> and the listen address are always in). */
    altNames: z.array(z.string()).default([]),
  }).strict().prefault({}),
  auth: z.object({
    realm: z.string().default('outpost'),
    /** Digest algorithm offered in challenges. MD5 is what every phone supports (TR-069 §3.4.5);
     *  SHA-256 (RFC 7616) only for fleets known to handle it. Responses in either are verified. */
    challengeAlgorithm: z.enum(['MD5', 'SHA-256']).default('MD5'),
    /** Allow Basic auth (TLS only; never over plain HTTP). */
    allowBasic: z.boolean().default(true),
    /** Allow Basic over plain HTTP for broken CPEs (TR-069 forbids it; off by default). */
    allowBasicOverHttp: z.boolean().default(false),
    /** Site-wide first-contact credentials, accepted only for a BOOTSTRAP session (§6.3). */
    bootstrap: z.object({ username: z.string().min(1), password: z.string().min(1) }).strict().optional(),
    /** After first contact, give each phone its own ACS and connection-request credentials (§6.3). */
    rotateCredentials: z.boolean().default(true),
    nonceLifetime: duration.prefault('300s'),
    lockoutFailures: z.number().int().positive().default(10),
    lockoutWindow: duration.prefault('60s'),
    lockoutDuration: duration.prefault('300s'),
  }).strict().prefault({}),
  maxSessions: z.number().int().positive().default(1000),
  /** Connection admission (services/acs/admission.ts): connections served at once, waiting, and how long one may wait. */
  admission: z.object({
    maxConnections: z.number().int().positive().default(512),
    maxQueue: z.number().int().nonnegative().default(20_000),
    maxWait: duration.prefault('20s'),
  }).strict().prefault({}),
  /** Send HoldRequests=1 while the ACS has queued tasks for the device, so its RPCs go first. */
  holdRequests: z.boolean().default(false),
  /** Where firmware images are served from (default <stateDir>/firmware). */
  firmwareDir: z.string().optional(),
  maxBodyBytes: z.number().int().positive().default(4 * 1024 * 1024),
  retryAfterSeconds: z.number().int().positive().default(30),
  /** Session timeouts: between messages, per ACS request awaiting its response, and in total. */
  idleTimeout: duration.prefault('30s'),
  requestTimeout: duration.prefault('60s'),
  maxSessionTime: duration.prefault('10m'),
  connectionRequest: z.object({
    timeout: duration.prefault('3s'),
    /** Minimum interval between connection requests to one device. */
    minInterval: duration.prefault('5s'),
  }).strict().prefault({}),
  tasks: z.object({
    maxRetries: z.number().int().nonnegative().default(5),
    backoffBase: duration.prefault('30s'),
  }).strict().prefault({}),
}).strict();
export type AcsConfig = z.infer<typeof acsSchema>;
