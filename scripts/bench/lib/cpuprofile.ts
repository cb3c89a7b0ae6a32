// Summarise a V8 .cpuprofile (node --cpu-prof): self time per function and per file/package,
// idle and GC apart, so a benchmark can print its server's hotspots.
// Run alone: node_modules/.bin/node scripts/bench/lib/cpuprofile.ts FILE.cpuprofile [top=25]

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface Hotspot { name: string; where: string; ms: number; pct: number }
export interface ProfileSummary {
  wallMs: number;
  idleMs: number;
  busyMs: number;
  functions: Hotspot[];
  groups: Hotspot[];
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where a frame lives: an npm package, a project file, a Node built-in, or a V8 pseudo-frame. */
export function groupOf(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith('node:')) return url.replace(/^node:internal\//, 'node:').split('/').slice(0, 2).join('/');
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return relative(ROOT, path);
}

/**
 * Self time per function and per group. `windows` (µs on the monotonic clock, which V8 profile
 * timestamps use on Linux, as process.hrtime does) restricts the summary to those intervals.
 */
export function summarise(p: Profile, top = 25, windows: [number, number][] = []): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const inside = (t: number) => windows.length === 0 || windows.some(([a, b]) => t >= a && t <= b);
  let t = p.startTime;
  let wall = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (!inside(t)) continue;
    wall += dt;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  const fns = new Map<string, Hotspot>();
  const groups = new Map<string, Hotspot>();
  let idle = 0;
  let total = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    const ms = us / 1000;
    total += ms;
    if (cf.functionName === '(idle)') { idle += ms; continue; }
    const where = cf.url === '' ? '' : `${groupOf(cf.url, cf.functionName)}:${cf.lineNumber + 1}`;
    const key = `${cf.functionName}@${where}`;
    const f = fns.get(key) ?? { name: cf.functionName || '(anonymous)', where, ms: 0, pct: 0 };
    f.ms += ms;
    fns.set(key, f);
    const g = groupOf(cf.url, cf.functionName);
    const gg = groups.get(g) ?? { name: g, where: '', ms: 0, pct: 0 };
    gg.ms += ms;
    groups.set(g, gg);
  }
  const busy = total - idle;
  const rank = (m: Map<string, Hotspot>) => [...m.values()].sort((a, b) => b.ms - a.ms).slice(0, top)
    .map((h) => ({ ...h, pct: busy > 0 ? (100 * h.ms) / busy : 0 }));
  return { wallMs: wall / 1000, idleMs: idle, busyMs: busy, functions: rank(fns), groups: rank(groups) };
}

export function formatSummary(s: ProfileSummary): string {
  const line = (h: Hotspot) => `  ${h.pct.toFixed(1).padStart(5)} %  ${h.ms.toFixed(0).padStart(7)} ms  ${h.name}${h.where ? `  (${h.where})` : ''}`;
  return [`profile: ${(s.wallMs / 1000).toFixed(1)} s sampled, ${(s.busyMs / 1000).toFixed(1)} s on the main thread, ${(s.idleMs / 1000).toFixed(1)} s idle`,
    'self time by function (% of busy):', ...s.functions.map(line),
    'self time by file / package:', ...s.groups.map(line)].join('\n');
}

if (import.meta.main) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: cpuprofile.ts FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatSummary(summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(process.argv[3] ?? 25)))}\n`);
}
