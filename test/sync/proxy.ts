// A TCP proxy standing in for the WAN between a site and central (loopback only): cut() drops
// every connection and refuses (RST) or black-holes new ones until restore(). Optional rate
// limit so that downloads last long enough to be cut in the middle, and a lost-answer mode
// (the request reaches central, the answer never reaches the site).
import net from 'node:net';

export interface ProxyOptions {
  target: { host: string; port: number };
  /** Bytes per second from central to the site (0 = unlimited). */
  rate?: number;
}

export class WanProxy {
  readonly #o: ProxyOptions;
  readonly #server: net.Server;
  readonly #pairs = new Set<{ a: net.Socket; b: net.Socket }>();
  #mode: 'up' | 'reset' | 'blackhole' = 'up';
  #loseAnswers = 0;
  #loseMatch = /./;
  /** First line and Range header of every request that went through. */
  readonly requests: string[] = [];
  bytesDown = 0;
  cuts = 0;
  port = 0;

  constructor(o: ProxyOptions) {
    this.#o = o;
    this.#server = net.createServer((a) => this.#accept(a));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.port = (this.#server.address() as net.AddressInfo).port;
    return this;
  }

  get url(): string { return `http://127.0.0.1:${this.port}/`; }
  get isUp(): boolean { return this.#mode === 'up'; }

  /** The WAN goes away: live connections die; new ones are reset (or hang, with 'blackhole'). */
  cut(mode: 'reset' | 'blackhole' = 'reset'): void {
    this.#mode = mode;
    this.cuts++;
    for (const p of this.#pairs) { p.a.destroy(); p.b.destroy(); }
    this.#pairs.clear();
  }

  restore(): void { this.#mode = 'up'; }

  /** The next `n` requests matching `match` reach central but their answers are lost on the way back. */
  loseAnswers(n: number, match = /./): void { this.#loseAnswers = n; this.#loseMatch = match; }

  #accept(a: net.Socket): void {
    a.on('error', () => {});
    if (this.#mode === 'reset') { a.resetAndDestroy(); return; }
    if (this.#mode === 'blackhole') { a.pause(); this.#pairs.add({ a, b: a }); return; }
    const b = net.connect(this.#o.target.port, this.#o.target.host);
    b.on('error', () => a.destroy());
    a.on('error', () => b.destroy());
    const pair = { a, b };
    this.#pairs.add(pair);
    let lose = false;
    let first = true;
    a.on('data', (d: Buffer) => {
      if (first) {
        first = false;
        const head = d.toString('latin1').split('\r\n');
        const range = head.find((l) => /^range:/i.test(l));
        this.requests.push(`${head[0]}${range ? ` ${range.toLowerCase()}` : ''}`);
        if (this.#loseAnswers > 0 && this.#loseMatch.test(head[0]!)) { this.#loseAnswers--; lose = true; }
      }
      b.write(d);
    });
    b.on('data', (d: Buffer) => {
      if (lose) { a.destroy(); b.destroy(); return; }
      this.bytesDown += d.length;
      if (!this.#o.rate) { a.write(d); return; }
      b.pause();
      a.write(d);
      setTimeout(() => b.resume(), Math.ceil((d.length / this.#o.rate) * 1000));
    });
    const end = () => { this.#pairs.delete(pair); a.destroy(); b.destroy(); };
    a.on('close', end);
    b.on('close', end);
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}
