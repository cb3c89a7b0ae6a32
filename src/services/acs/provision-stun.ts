// STUN in a device's desired state (TR-069 Annex G.2.1; tr069-protocol.md §8.2–§8.5). When the
// template turns STUN on, the phone gets its own STUNUsername/STUNPassword: generated once per
// device, kept sealed in the STUN credentials table (the STUN service verifies
// MESSAGE-INTEGRITY with them by USERNAME) and added to the desired values as the hidden
// `stun.password` intent — written like line passwords, and written again after a factory
// reset (the stored pair is kept: the phone gets the same one back). A template without
// `stun.server`/`stun.port` gets the site's own STUN listener.

import { randomBytes } from 'node:crypto';
import type { Values } from '../../provisioning/content.ts';
import { hashValues, type IntentSet } from '../../provisioning/desired.ts';
import { StunBindingRepo } from '../../store/stun-bindings.ts';
import type { Engine } from './engine.ts';

const WILDCARD = new Set(['0.0.0.0', '::']);

/** The site's STUN address as phones should be given it (§8.2 STUNServerAddress/Port). */
function siteStun(e: Engine): { host: string; port: number } {
  const l = e.root.stun.listen;
  return { host: WILDCARD.has(l.host) ? `acs.${e.root.site.domain}` : l.host, port: l.port };
}

/** The device's stored pair, or null (none, or sealed with a key this box no longer has). */
function stored(repo: StunBindingRepo, deviceId: string): { username: string; password: string } | null {
  const username = repo.usernameOf(deviceId);
  if (!username) return null;
  try {
    const c = repo.credentials(username);
    return c && c.deviceId === deviceId ? { username, password: c.password } : null;
  } catch {
    return null;
  }
}

/**
 * Complete the STUN intents of a device whose desired state has stun.enable true: server and
 * port defaults, and its credentials (the stored pair, else a new one). Synchronous, stores
 * nothing: `store` says whether the pair must still be stored (addStunIntents does). The rollout
 * check uses it as is, so its desired hash matches the session's.
 */
export function completeStunIntents(e: Engine, deviceId: string, intents: IntentSet): { username: string; password: string; store: boolean } | null {
  const v: Values = intents.values;
  if (v['stun.enable'] !== 'true') return null;
  const site = siteStun(e);
  if (v['stun.server'] === undefined) v['stun.server'] = site.host;
  if (v['stun.port'] === undefined && site.port !== 0) v['stun.port'] = String(site.port);
  const have = stored(new StunBindingRepo(e.store), deviceId);
  const username = v['stun.username'] || have?.username || `stun-${randomBytes(8).toString('hex')}`;
  const password = v['stun.password'] || (have?.username === username ? have.password : '') || randomBytes(18).toString('base64url');
  v['stun.username'] = username;
  v['stun.password'] = password;
  intents.hash = hashValues(v); // the username is part of what the site wants (the password is never hashed)
  return { username, password, store: have?.username !== username || have.password !== password };
}

/**
 * completeStunIntents, and a new pair stored durably before the phone is told it, so the STUN
 * service already knows it when the phone's first Binding Request arrives.
 */
export async function addStunIntents(e: Engine, deviceId: string, intents: IntentSet): Promise<void> {
  const r = completeStunIntents(e, deviceId, intents);
  if (!r?.store) return;
  await new StunBindingRepo(e.store).setCredentials(deviceId, r.username, r.password);
  e.log.info({ deviceId, username: r.username }, 'STUN credentials stored for the device'); // never the password
}
