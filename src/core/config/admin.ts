import { z } from 'zod';
import { isPasswordHash, passwordProblem } from '../passwords.ts';

/**
 * The first admin account (DESIGN "The appliance": set up from the USB config). Created at start
 * when missing; set again only when this entry changes (a new USB import is the reset path), so a
 * password changed through the API survives restarts. Give `password` sealed for the box
 * (outpost config seal) — `config import` stores only its hash — or `passwordHash` from
 * `outpost users hash-password`.
 */
/** A management-plane user name (the config's admin and the API's users alike). */
export const usernameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'must be 1–64 letters, digits, dot, dash, underscore or @');

export const adminSchema = z.object({
  username: usernameSchema,
  password: z.string().optional(),
  passwordHash: z.string().refine(isPasswordHash, { message: 'must be a hash from outpost users hash-password (scrypt$…)' }).optional(),
}).strict().superRefine((a, ctx) => {
  if ((a.password === undefined) === (a.passwordHash === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'give exactly one of password (sealed for this box) or passwordHash', path: ['password'] });
    return;
  }
  const problem = a.password === undefined ? null : passwordProblem(a.password, a.username);
  if (problem) ctx.addIssue({ code: 'custom', message: `the password ${problem}`, path: ['password'] });
});
export type AdminConfig = z.infer<typeof adminSchema>;
