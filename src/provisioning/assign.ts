// Which zone, template and position a device gets (DESIGN "Positions", boot path step 4).
// Order: a position that names the device (serial or MAC); a position on the switch port it is
// plugged into (DHCP option 82 remote-id + circuit-id, RFC 3046) — so a replacement phone on
// the same port takes over the position's line and extension ("swap and go"); then the rules,
// first match wins; then the site's unassigned-phone policy.

import type { Position, ProvisioningContent, Rule } from './content.ts';
import type { Assignment } from './desired.ts';
import { normaliseMac } from './parse.ts';

export interface DeviceContext {
  id: string;
  serial: string;
  oui: string;
  productClass: string;
  provisioningCode: string;
  /** From the DHCP lease (or the serial where it is the MAC). */
  mac: string | null;
  ip: string;
  /** Option 82 of the device's lease: remote-id = the switch, circuit-id = its port. */
  remoteId: string | null;
  circuitId: string | null;
}

export interface UnassignedPolicy {
  unassigned: 'zone-default' | 'none';
  defaultZone: string | null;
}

const eq = (a: string | null | undefined, b: string | null | undefined): boolean =>
  a != null && b != null && a.trim().toLowerCase() === b.trim().toLowerCase();

/** `SIP-T*` style patterns (only `*`), case-insensitive. */
export function glob(pattern: string, value: string | null): boolean {
  if (value === null) return false;
  if (!pattern.includes('*')) return eq(pattern, value);
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(value.trim());
}

export function ipInCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const num = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !net) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(num(ip) / size) === Math.floor(num(net) / size);
}

/** The position a device holds: by its own identity first, then by the port it is plugged into. */
export function findPosition(content: ProvisioningContent, d: DeviceContext): { position: Position; by: string } | null {
  const mac = d.mac ? normaliseMac(d.mac) : null;
  for (const p of Object.values(content.positions)) {
    if (p.match.serial && eq(p.match.serial, d.serial)) return { position: p, by: `serial ${d.serial}` };
    if (p.match.mac && mac && normaliseMac(p.match.mac) === mac) return { position: p, by: `MAC ${mac}` };
  }
  if (!d.remoteId) return null;
  for (const p of Object.values(content.positions)) {
    if (p.match.serial || p.match.mac || !p.match.switch) continue;
    if (eq(p.match.switch, d.remoteId) && (p.match.port === undefined || eq(p.match.port, d.circuitId))) {
      return { position: p, by: `switch ${d.remoteId} port ${d.circuitId ?? '?'}` };
    }
  }
  return null;
}

export function ruleMatches(r: Rule, d: DeviceContext): boolean {
  const m = r.match;
  const any = (pats: string[] | undefined, v: string | null): boolean => pats === undefined || pats.some((p) => glob(p, v));
  return any(m.switch, d.remoteId) && any(m.port, d.circuitId) && any(m.serial, d.serial) && any(m.oui, d.oui)
    && any(m.productClass, d.productClass) && any(m.provisioningCode, d.provisioningCode)
    && (m.mac === undefined || (d.mac !== null && m.mac.some((x) => glob(normaliseMac(x), normaliseMac(d.mac!)))))
    && (m.subnet === undefined || m.subnet.some((c) => ipInCidr(d.ip, c)));
}

export function assign(content: ProvisioningContent, d: DeviceContext, policy: UnassignedPolicy): Assignment {
  const pos = findPosition(content, d);
  const rule = content.rules.find((r) => ruleMatches(r, d)) ?? null;
  const fallbackZone = policy.defaultZone && content.zones[policy.defaultZone] ? policy.defaultZone : null;
  if (pos) {
    const zone = pos.position.zone ?? rule?.zone ?? fallbackZone;
    return {
      kind: 'position', zone, position: pos.position.id, rule: rule?.name ?? null,
      template: pos.position.template ?? (pos.position.zone ? null : rule?.template ?? null),
      reason: zone ? `position ${pos.position.id} (${pos.by})` : `position ${pos.position.id} (${pos.by}) has no zone and no default zone is configured`,
    };
  }
  if (rule) return { kind: 'rule', zone: rule.zone, template: rule.template, position: null, rule: rule.name, reason: `rule ${rule.name}` };
  if (policy.unassigned === 'zone-default' && fallbackZone) {
    return { kind: 'default', zone: fallbackZone, template: null, position: null, rule: null, reason: `unassigned: default zone ${fallbackZone}` };
  }
  const why = policy.unassigned === 'none' ? 'unassigned (site policy: no configuration for unassigned phones)'
    : 'unassigned (no default zone configured)';
  return { kind: 'none', zone: null, template: null, position: null, rule: null, reason: why };
}
