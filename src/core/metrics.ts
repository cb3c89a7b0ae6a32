// A minimal Prometheus registry: counters and gauges with labels, rendered in the text
// exposition format. Metric names start with `outpost_<service>_` (one name everywhere);
// `outpost_process_*` are the process's own (memory, event loop), read at scrape time.

type Labels = Record<string, string>;

interface Series {
  type: 'counter' | 'gauge';
  help: string;
  values: Map<string, number>;
}

const key = (l?: Labels) => (l ? Object.keys(l).sort().map((k) => `${k}="${String(l[k]).replace(/["\\\n]/g, '_')}"`).join(',') : '');

export class Metrics {
  readonly #series = new Map<string, Series>();
  readonly #collectors: (() => void)[] = [];

  /** Run `fn` before each render (gauges read at scrape time: memory, queue lengths). */
  collect(fn: () => void): void {
    this.#collectors.push(fn);
  }

  #get(name: string, type: Series['type'], help: string): Series {
    let s = this.#series.get(name);
    if (!s) this.#series.set(name, (s = { type, help, values: new Map() }));
    return s;
  }

  counter(name: string, help: string): { inc(labels?: Labels, by?: number): void } {
    const s = this.#get(name, 'counter', help);
    return { inc: (labels, by = 1) => { const k = key(labels); s.values.set(k, (s.values.get(k) ?? 0) + by); } };
  }

  gauge(name: string, help: string): { set(value: number, labels?: Labels): void; inc(labels?: Labels, by?: number): void } {
    const s = this.#get(name, 'gauge', help);
    return {
      set: (value, labels) => { s.values.set(key(labels), value); },
      inc: (labels, by = 1) => { const k = key(labels); s.values.set(k, (s.values.get(k) ?? 0) + by); },
    };
  }

  value(name: string, labels?: Labels): number | undefined {
    return this.#series.get(name)?.values.get(key(labels));
  }

  render(): string {
    for (const fn of this.#collectors) fn();
    const out: string[] = [];
    for (const [name, s] of [...this.#series].sort(([a], [b]) => a.localeCompare(b))) {
      out.push(`# HELP ${name} ${s.help}`, `# TYPE ${name} ${s.type}`);
      for (const [k, v] of s.values) out.push(k ? `${name}{${k}} ${v}` : `${name} ${v}`);
    }
    return out.join('\n') + '\n';
  }
}
