// Shared pieces of the config schema.
import { z } from 'zod';
import { isIP } from 'node:net';

export const ipv4 = z.string().refine((s) => isIP(s) === 4, { message: 'must be an IPv4 address' });
export const ipAddr = z.string().refine((s) => isIP(s) !== 0, { message: 'must be an IP address' });
export const port = z.number().int().min(0).max(65535);
/** `10.20.0.0/16` */
export const cidr4 = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/, 'must be an IPv4 CIDR such as 10.20.0.0/16')
  .refine((s) => isIP(s.split('/')[0]!) === 4, { message: 'must be an IPv4 CIDR such as 10.20.0.0/16' });
export const hostname = z.string().regex(/^(?=.{1,253}$)([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?)*\.?$/, 'must be a DNS name');
/** Durations as a number of seconds or a string like `30s`, `5m`, `12h`, `7d`. Parsed to ms. */
export const duration = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'must be a duration such as 30s, 5m, 12h')])
  .transform((v) => {
    if (typeof v === 'number') return Math.round(v * 1000);
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(v)!;
    const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
    return Math.round(Number(m[1]) * mult);
  });
export const listen = z.object({
  host: ipAddr.default('127.0.0.1'),
  port: port,
}).strict();
