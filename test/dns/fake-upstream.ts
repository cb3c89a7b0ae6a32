// A small upstream resolver for the DNS tests (never a real one): answers over UDP and TCP from
// a fixed table, counts queries, can go silent. In-process (FakeUpstream) or as a process in a
// network namespace: `node test/dns/fake-upstream.ts <host> <port>` (prints READY; stdin
// commands `silent`, `answer`, `count` → prints the query count).
//
// Names it knows (any case):
//   *.example.net A      → 192.0.2.<n> where n counts the queries for that name (so a cached
//                           answer is recognisable: it keeps the first n)
//   nx.example.net        → NXDOMAIN with an SOA (negative TTL 30)
//   big.example.net TXT   → 40 long TXT strings: TC over UDP, whole over TCP
//   ttl1.example.net A    → TTL 1
//   . NS                  → the probe answer
// Silent: queries are counted but not answered (a dead WAN that drops packets).

import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

export class FakeUpstream {
  readonly udp: dgram.Socket;
  readonly tcp: net.Server;
  silent = false;
  queries = 0;
  readonly #perName = new Map<string, number>();

  constructor() {
    this.udp = dgram.createSocket('udp4');
    this.tcp = net.createServer((s) => this.#onTcp(s));
    this.udp.on('message', (m, r) => {
      const out = this.answer(m, false);
      if (out) this.udp.send(out, r.port, r.address);
    });
    this.udp.on('error', () => {});
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((res) => this.udp.bind(port, host, () => res()));
    const p = this.udp.address().port;
    await new Promise<void>((res) => this.tcp.listen(p, host, () => res()));
    return p;
  }

  close(): void {
    this.udp.close();
    this.tcp.close();
  }

  answer(m: Buffer, tcp: boolean): Buffer | null {
    let q: dnsPacket.Packet;
    try {
      q = dnsPacket.decode(m);
    } catch {
      return null;
    }
    const question = q.questions?.[0];
    if (!question) return null;
    this.queries++;
    if (this.silent) return null;
    const name = question.name.toLowerCase();
    const n = (this.#perName.get(name) ?? 0) + 1;
    this.#perName.set(name, n);
    const base = { type: 'response' as const, id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: [question] };
    const soa = { name: 'example.net', type: 'SOA' as const, ttl: 300, data: { mname: 'ns.example.net', rname: 'h.example.net', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 30 } };
    if (name === '' && question.type === 'NS') {
      return dnsPacket.encode({ ...base, answers: [{ name: '', type: 'NS', ttl: 300, data: 'a.root.test' }] });
    }
    if (name === 'nx.example.net') return dnsPacket.encode({ ...base, flags: base.flags | 3, authorities: [soa] });
    if (name === 'big.example.net' && question.type === 'TXT') {
      if (!tcp) return dnsPacket.encode({ ...base, flags: base.flags | dnsPacket.TRUNCATED_RESPONSE });
      const answers = Array.from({ length: 40 }, (_, i) => ({ name, type: 'TXT' as const, ttl: 300, data: `${i} ${'x'.repeat(60)}` }));
      return dnsPacket.encode({ ...base, answers });
    }
    if (name.endsWith('.example.net') && question.type === 'A') {
      const ttl = name === 'ttl1.example.net' ? 1 : 300;
      return dnsPacket.encode({ ...base, answers: [{ name: question.name, type: 'A', ttl, data: `192.0.2.${n % 256}` }] });
    }
    return dnsPacket.encode({ ...base, authorities: [soa] });
  }

  #onTcp(s: net.Socket): void {
    let buf = Buffer.alloc(0);
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const out = this.answer(buf.subarray(2, 2 + buf.readUInt16BE(0)), true);
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        if (out) s.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 255]), out]));
      }
    });
    s.on('error', () => s.destroy());
  }
}

if (import.meta.main) {
  const [host = '127.0.0.1', port = '0'] = process.argv.slice(2);
  const up = new FakeUpstream();
  const p = await up.listen(host, Number(port));
  process.stdout.write(`READY ${p}\n`);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => {
    for (const cmd of d.split('\n').map((l) => l.trim()).filter(Boolean)) {
      if (cmd === 'silent') up.silent = true;
      else if (cmd === 'answer') up.silent = false;
      else if (cmd === 'count') process.stdout.write(`COUNT ${up.queries}\n`);
    }
  });
  process.stdin.on('end', () => { up.close(); process.exit(0); });
  process.on('SIGTERM', () => { up.close(); process.exit(0); });
}
