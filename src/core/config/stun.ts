import { z } from 'zod';
import { duration, ipAddr, listen, port } from './common.ts';

// Owned by services/stun (README there lists every key). TR-069 Annex G / tr069-protocol.md §8.
export const stunSchema = z.object({
  enabled: z.boolean().default(false),
  /** The address/port given to CPEs as STUNServerAddress/STUNServerPort (§8.2: default 3478). */
  listen: listen.prefault({ port: 3478 }),
  /**
   * When to demand USERNAME + MESSAGE-INTEGRITY (answer 401 without it, §8.5):
   *  never      — verify MI only when a request carries it;
   *  cr-binding — requests carrying CONNECTION-REQUEST-BINDING (they decide where UDP connection
   *               requests go) must authenticate; plain STUN clients are answered without;
   *  always     — every Binding Request.
   * A wrong MI is refused in every mode.
   */
  requireIntegrity: z.enum(['never', 'cr-binding', 'always']).default('cr-binding'),
  /**
   * Address put in SOURCE-ADDRESS / CHANGED-ADDRESS of RFC 3489 responses. Needed only when
   * listening on a wildcard address (the socket cannot tell which address a request came to).
   */
  sourceAddress: ipAddr.optional(),
  /** Alternate address for CHANGED-ADDRESS; a single-homed server sends its own (§8.7 step 4). */
  changedAddress: z.object({ host: ipAddr, port }).strict().optional(),
  /** SOFTWARE attribute in RFC 5389 responses; empty = none. */
  software: z.string().max(127).default(''),
  /** Socket buffers: bursts of keep-alives from a whole site must not overflow the kernel queue. */
  recvBufferBytes: z.number().int().min(65536).default(4 * 1024 * 1024),
  sendBufferBytes: z.number().int().min(65536).default(4 * 1024 * 1024),
  /** Static STUN credentials (lab, or phones provisioned outside the ACS); the store's are tried first. */
  credentials: z.array(z.object({
    username: z.string().min(1),
    password: z.string().min(1),
    deviceId: z.string().optional(),
  }).strict()).default([]),
  bindings: z.object({
    /** A binding not refreshed for this long is reported expired (§8.7 step 7: ~3 × keep-alive max). */
    expiry: duration.prefault('10m'),
    /** How often refreshed last-seen times are written to the store (changes are written at once). */
    flushInterval: duration.prefault('10s'),
    /** Bindings kept in memory for the request path; older ones are re-read from the store. */
    maxCached: z.number().int().positive().default(100_000),
  }).strict().prefault({}),
  connectionRequest: z.object({
    /** Send times of the copies of one UDP connection request, from the first (§8.11). */
    schedule: z.array(duration).min(1).max(10).prefault(['0s', '500ms', '1500ms']),
    /** Upper bound of UDP connection requests being retransmitted at once. */
    maxPending: z.number().int().positive().default(1000),
  }).strict().prefault({}),
}).strict();
export type StunConfig = z.infer<typeof stunSchema>;
