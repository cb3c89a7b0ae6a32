// Bookkeeping of a fleet run, kept in typed arrays so 10,000 phones cost a few hundred KB: the
// phase each phone is in, when it entered each phase, and the summary (counts and per-phase
// latencies p50/p95/p99/max) for the live display and the final JSON.

export const PHASES = ['waiting', 'dhcp', 'dns', 'inform', 'provisioning', 'compliant', 'failed'] as const;
export type Phase = (typeof PHASES)[number];

/** Timestamps recorded per phone (ms since the run started; NaN = not reached). */
export const MARKS = ['start', 'dhcp', 'dns', 'informed', 'compliant', 'failed'] as const;
export type Mark = (typeof MARKS)[number];

export interface Latency { n: number; p50: number; p95: number; p99: number; max: number }

export function latency(values: number[]): Latency {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const at = (p: number): number => (v.length === 0 ? 0 : Math.round(v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)]!));
  return { n: v.length, p50: at(50), p95: at(95), p99: at(99), max: Math.round(v.at(-1) ?? 0) };
}

export class FleetStats {
  readonly size: number;
  readonly t0: number;
  readonly #phase: Uint8Array;
  readonly #marks: Float64Array;
  readonly #counts = new Array<number>(PHASES.length).fill(0);
  sessions = 0;
  sessionErrors = 0;
  readonly errors = new Map<string, number>();

  constructor(size: number, t0: number) {
    this.size = size;
    this.t0 = t0;
    this.#phase = new Uint8Array(size);
    this.#marks = new Float64Array(size * MARKS.length).fill(NaN);
    this.#counts[0] = size;
  }

  phaseOf(i: number): Phase { return PHASES[this.#phase[i]!]!; }

  /** Move phone `i` to `phase` (never backwards, never out of compliant/failed unless `force`). */
  enter(i: number, phase: Phase, force = false): void {
    const cur = this.#phase[i]!;
    const next = PHASES.indexOf(phase);
    if (cur === next) return;
    if (!force && (PHASES[cur] === 'compliant' || PHASES[cur] === 'failed')) return;
    if (!force && next < cur) return;
    this.#counts[cur]!--;
    this.#counts[next]!++;
    this.#phase[i] = next;
  }

  /** Record when phone `i` reached a point (first time only). */
  mark(i: number, m: Mark, at: number): void {
    const k = i * MARKS.length + MARKS.indexOf(m);
    if (Number.isNaN(this.#marks[k]!)) this.#marks[k] = at - this.t0;
  }

  #get(i: number, m: Mark): number {
    return this.#marks[i * MARKS.length + MARKS.indexOf(m)]!;
  }

  counts(): Record<Phase, number> {
    return Object.fromEntries(PHASES.map((p, k) => [p, this.#counts[k]!])) as Record<Phase, number>;
  }

  get settled(): boolean {
    return this.#counts[PHASES.indexOf('compliant')]! + this.#counts[PHASES.indexOf('failed')]! === this.size;
  }

  error(message: string): void {
    this.errors.set(message, (this.errors.get(message) ?? 0) + 1);
  }

  /**
   * Time spent in each phase (ms): dhcp = power-on → ACK, dns = ACK → answer, inform = until the
   * first InformResponse, provisioning = until compliant; total = power-on → compliant.
   */
  latencies(): Record<'dhcp' | 'dns' | 'inform' | 'provisioning' | 'total', Latency> {
    const cols: Record<string, number[]> = { dhcp: [], dns: [], inform: [], provisioning: [], total: [] };
    for (let i = 0; i < this.size; i++) {
      const start = this.#get(i, 'start');
      const dhcp = this.#get(i, 'dhcp');
      const dns = this.#get(i, 'dns');
      const informed = this.#get(i, 'informed');
      const compliant = this.#get(i, 'compliant');
      cols.dhcp!.push(dhcp - start);
      cols.dns!.push(dns - dhcp);
      cols.inform!.push(informed - (Number.isFinite(dns) ? dns : start));
      cols.provisioning!.push(compliant - informed);
      cols.total!.push(compliant - start);
    }
    return {
      dhcp: latency(cols.dhcp!), dns: latency(cols.dns!), inform: latency(cols.inform!),
      provisioning: latency(cols.provisioning!), total: latency(cols.total!),
    };
  }
}
