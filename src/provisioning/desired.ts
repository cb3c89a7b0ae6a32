// Desired state of one device, in two steps:
//  1. intents: the template chain, then the zone, the position and the inventory values, in
//     that order (later wins), with the zone's inform interval and `${…}` interpolation;
//  2. concrete parameters: the intents mapped through the device's model profile onto the paths
//     the device has (expand.ts).

import { createHash } from 'node:crypto';
import type { ProvisioningContent, Values, Zone, Position } from './content.ts';
import { canonicalIntentValue, intentDef, isSecretIntent, parseLineIntent } from './intents.ts';

export interface Assignment {
  kind: 'position' | 'rule' | 'default' | 'none';
  zone: string | null;
  template: string | null;
  position: string | null;
  rule: string | null;
  /** Why this assignment (shown in the control-room list). */
  reason: string;
}

export interface DeviceFacts {
  id: string;
  serial: string;
  oui: string;
  productClass: string;
  mac: string | null;
}

export interface IntentSet {
  values: Values;
  /** Intents whose value could not be computed (unresolved `${…}`, bad value after interpolation). */
  errors: { intent: string; error: string }[];
  zone: Zone | null;
  /** Lines the template describes but this device has no identity for (no user, no number): not managed. */
  skippedLines: number[];
  /** Hash of the non-secret desired values: a change means the site changed its mind (not drift). */
  hash: string;
}

/** Values of the template and everything it extends, base first. */
export function templateValues(content: ProvisioningContent, id: string | null): Values {
  const chain: Values[] = [];
  const seen = new Set<string>();
  for (let t = id ? content.templates[id] : undefined; t && !seen.has(t.id); t = t.extends ? content.templates[t.extends] : undefined) {
    seen.add(t.id);
    chain.unshift(t.values);
  }
  return Object.assign({}, ...chain) as Values;
}

export interface Layers {
  /** Per-position inventory values (CSV import). */
  positionInventory?: Values;
  /** Per-device inventory values (CSV import, by serial or MAC). */
  deviceInventory?: Values;
  /** The device has been compliant since its last bootstrap: steady inform interval. */
  onboarded: boolean;
}

export function intentsFor(content: ProvisioningContent, a: Assignment, device: DeviceFacts, layers: Layers): IntentSet {
  const zone = a.zone ? content.zones[a.zone] ?? null : null;
  const position: Position | null = a.position ? content.positions[a.position] ?? null : null;
  if (a.kind === 'none' || !zone) return { values: {}, errors: [], zone, skippedLines: [], hash: hashValues({}) };
  const merged: Values = {
    // Zone criticality drives the inform interval (DESIGN: short while onboarding, long in steady state).
    'inform.enable': 'true',
    'inform.interval': String(Math.round((layers.onboarded ? zone.inform.steady : zone.inform.onboarding) / 1000)),
    ...templateValues(content, a.template ?? zone.template),
    ...zone.values,
    ...(position?.values ?? {}),
    ...(layers.positionInventory ?? {}),
    ...(layers.deviceInventory ?? {}),
  };
  const vars: Record<string, string> = {
    'device.id': device.id, 'device.serial': device.serial, 'device.oui': device.oui, 'device.productClass': device.productClass,
    'device.mac': device.mac ?? '', 'zone.id': zone.id, 'zone.name': zone.name,
    'position.id': position?.id ?? '', 'position.name': position?.name ?? '',
  };
  const skippedLines = dropLinesWithoutIdentity(merged);
  const { values, errors } = interpolate(merged, vars);
  return { values, errors, zone, skippedLines, hash: hashValues(values) };
}

/**
 * A template describes lines generically (enable, URI pattern); a line is managed only where the
 * position, inventory or template gives it an identity (authUser or number). The others are left
 * as the phone has them: a phone nobody assigned gets the zone's settings, not a dead line.
 */
function dropLinesWithoutIdentity(values: Values): number[] {
  const lines = new Map<number, boolean>();
  for (const k of Object.keys(values)) {
    const l = parseLineIntent(k);
    if (l) lines.set(l.line, (lines.get(l.line) ?? false) || ((l.leaf === 'authUser' || l.leaf === 'number') && values[k] !== ''));
  }
  const skipped = [...lines].filter(([, id]) => !id).map(([n]) => n).sort((a, b) => a - b);
  for (const k of Object.keys(values)) {
    const l = parseLineIntent(k);
    if (l && skipped.includes(l.line)) delete values[k];
  }
  return skipped;
}

const VAR_RE = /\$\{([A-Za-z0-9_.[\]]+)\}/g;

/** Replace `${intent}` and `${device.serial}`-style variables; at most 4 rounds (no loops). */
export function interpolate(input: Values, vars: Record<string, string>): { values: Values; errors: { intent: string; error: string }[] } {
  const values: Values = {};
  const errors: { intent: string; error: string }[] = [];
  for (const [name, raw] of Object.entries(input)) {
    let v = raw;
    let missing: string | null = null;
    for (let round = 0; round < 4 && v.includes('${') && missing === null; round++) {
      v = v.replace(VAR_RE, (_m, key: string) => {
        const r = vars[key] ?? (key !== name ? input[key] : undefined);
        if (r === undefined || (isSecretIntent(key) && !isSecretIntent(name))) {
          missing ??= key;
          return '';
        }
        return r;
      });
    }
    if (missing !== null) {
      errors.push({ intent: name, error: `\${${missing}} has no value for this device` });
      continue;
    }
    const def = intentDef(name);
    const c = def ? canonicalIntentValue(def, v) : { ok: false as const, error: `unknown intent ${name}` };
    if (c.ok) values[name] = c.value;
    else errors.push({ intent: name, error: c.error });
  }
  return { values, errors };
}

/** Stable short hash of the non-secret values (secrets are tracked per path, sealed, elsewhere). */
export function hashValues(values: Values): string {
  const h = createHash('sha256');
  for (const k of Object.keys(values).sort()) if (!isSecretIntent(k)) h.update(`${k}\u0000${values[k]}\u0001`);
  return h.digest('hex').slice(0, 16);
}
