// Fuzzer for the DNS end-to-end test: N mutated queries over UDP (and a few hundred over TCP)
// to a server, paced in bursts; prints {"sent":…,"received":…,"tcpFrames":…} as JSON.
//   node test/dns/fuzz-client.ts <server> <port> <count> [seed]
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

const [host = '127.0.0.1', portText = '53', countText = '50000', seedText = '1'] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
let seed = Number(seedText) >>> 0 || 1;
const rnd = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 0x100000000; };
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;

const q = (name: string, type: dnsPacket.RecordType, edns: boolean) => dnsPacket.encode({
  type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }],
  additionals: edns ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, flags: 0 } as dnsPacket.Answer] : [],
});
const SEEDS = [
  q('acs.site.example', 'A', true), q('acs.site.example', 'A', false), q('_sip._udp.site.example', 'SRV', true),
  q('site.example', 'NAPTR', false), q('100.1.78.10.in-addr.arpa', 'PTR', true), q('big.site.example', 'A', false),
  q('nope.site.example', 'AAAA', true), q('www.example.net', 'A', true), q('x.example.net', 'TXT', false),
  Buffer.from('7c6901200001000000000001034163530453697465074578616d706c65000001000100002904d000000000000c000a0008c998e1a4890256bf', 'hex'),
];

/** One mutation of a seed: flips, truncation, growth, header and label damage, pointers, garbage. */
export function mutate(): Buffer {
  const base = pick(SEEDS);
  let m = Buffer.from(base);
  switch (Math.floor(rnd() * 8)) {
    case 0: for (let i = 1 + Math.floor(rnd() * 8); i > 0; i--) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256); break;
    case 1: m = m.subarray(0, Math.floor(rnd() * m.length)); break;
    case 2: m = Buffer.concat([m, Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)))]); break;
    case 3: m.writeUInt16BE(Math.floor(rnd() * 65536), 4 + 2 * Math.floor(rnd() * 4)); break; // a section count
    case 4: m[12 + Math.floor(rnd() * Math.max(1, m.length - 16))] = pick([0, 63, 64, 0xc0, 0xff, 1]); break; // a label length
    case 5: m[12] = 0xc0; m[13] = Math.floor(rnd() * 64); break; // a pointer in the question
    case 6: m = Buffer.from(Array.from({ length: Math.floor(rnd() * 600) }, () => Math.floor(rnd() * 256))); break;
    default: m[2] = Math.floor(rnd() * 256); m[3] = Math.floor(rnd() * 256); break; // flags, opcode, QR
  }
  if (m.length >= 2) m.writeUInt16BE(Math.floor(rnd() * 65536), 0);
  return m;
}

async function udp(): Promise<{ sent: number; received: number }> {
  const s = dgram.createSocket('udp4');
  let received = 0;
  s.on('message', () => { received++; });
  await new Promise<void>((r) => s.bind(0, () => r()));
  let sent = 0;
  while (sent < count) {
    for (let i = 0; i < 200 && sent < count; i++, sent++) s.send(mutate(), port, host);
    await new Promise((r) => setTimeout(r, 4));
  }
  await new Promise((r) => setTimeout(r, 2500)); // forwarded ones wait for the upstream's budget
  s.close();
  return { sent, received };
}

async function tcp(frames: number): Promise<number> {
  let done = 0;
  for (let c = 0; c < 10; c++) {
    await new Promise<void>((resolve) => {
      const sock = net.connect({ host, port });
      sock.on('connect', () => {
        for (let i = 0; i < frames / 10; i++) {
          const m = mutate();
          const len = rnd() < 0.1 ? Math.floor(rnd() * 65536) : m.length; // sometimes a lying length
          sock.write(Buffer.concat([Buffer.from([len >> 8, len & 255]), m]));
          done++;
        }
        setTimeout(() => sock.end(), 200);
      });
      sock.on('data', () => {});
      sock.on('error', () => resolve());
      sock.on('close', () => resolve());
    });
  }
  return done;
}

if (import.meta.main) {
  const u = await udp();
  const tcpFrames = await tcp(500);
  process.stdout.write(JSON.stringify({ ...u, tcpFrames }) + '\n');
}
