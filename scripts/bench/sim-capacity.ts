// Capacity of the phone simulator itself (issue 3), so later benchmarks know the simulator is
// not the bottleneck: memory per phone (idle booted, then after a 45-value template) and the
// Informs per second one simulator process sustains against a trivial responder — a separate
// process answering every Inform with a canned InformResponse and every empty POST with 204,
// no authentication, no storage.
//
//   node_modules/.bin/node --expose-gc scripts/bench/sim-capacity.ts [--phones 1000,10000]
//     [--models tr181,yealink,...|mix] [--tls] [--seconds 10] [--concurrency 256] [--json FILE]
//
// Per fleet size: boot every phone (one session each), measure heap and RSS per phone after GC,
// set 45 string values on each (a site template) and measure again, then run sessions back to
// back (closed loop, `concurrency` sessions in flight, round-robin over the phones) for
// `seconds` and report sessions (= Informs) per second with their latency, and the simulator's
// CPU per session (the figure that holds on a shared machine). The responder runs with
// `--responder` in a child process.

import http from 'node:http';
import https from 'node:https';
import { fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import type { AddressInfo } from 'node:net';
import { Fleet, fillAsProvisioned } from '../../test/sim/fleet.ts';
import { latency } from '../../test/sim/fleet-stats.ts';
import { testTls } from '../../test/sim/test-tls.ts';
import type { SimPhone } from '../../test/sim/phone.ts';

const { values: v } = parseArgs({
  options: {
    responder: { type: 'boolean', default: false }, phones: { type: 'string', default: '1000,10000' },
    models: { type: 'string', default: 'mix' }, tls: { type: 'boolean', default: false }, seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '256' }, json: { type: 'string' },
  },
});

// ---- the trivial responder (child process) --------------------------------------------------

function responder(tls: { cert: string; key: string } | null): void {
  const reply = (id: string, ns: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="${ns}"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">${id}</cwmp:ID></soap-env:Header><soap-env:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soap-env:Body></soap-env:Envelope>`;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (body.includes(':Inform>') || body.includes(':Inform ')) {
        const id = /<[\w-]*:?ID[^>]*>([^<]*)</.exec(body)?.[1] ?? '';
        const ns = /urn:dslforum-org:cwmp-1-\d/.exec(body)?.[0] ?? 'urn:dslforum-org:cwmp-1-0';
        const xml = reply(id, ns);
        res.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', 'Content-Length': Buffer.byteLength(xml) });
        res.end(xml);
        return;
      }
      res.writeHead(204, { 'Content-Length': '0' });
      res.end();
    });
  };
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
  server.keepAliveTimeout = 10_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
  process.on('message', () => process.send!({ cpu: process.cpuUsage() })); // the parent asks for our CPU time
}

// ---- the measurement ------------------------------------------------------------------------

const gc = (globalThis as { gc?: () => void }).gc;
function heap(): number {
  for (let i = 0; i < 4; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

/** CPU time (µs) the responder has used so far. */
function responderCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m) => { const c = (m as { cpu: NodeJS.CpuUsage }).cpu; resolve(c.user + c.system); });
    child.send('cpu');
  });
}

async function startResponder(tls: boolean): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(import.meta.filename, ['--responder'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const t = testTls(); // generated in this process: the phones trust its CA
  child.send({ tls: tls ? { cert: t.cert, key: t.key } : null });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (c) => reject(new Error(`responder exited ${c}`)));
  });
  return { child, url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/acs` };
}


const MIX = { tr181: 1, tr098: 1, yealink: 1, grandstream: 1, aastra: 1, unify: 1, ex: 1 };

async function measure(n: number, tls: boolean, seconds: number, concurrency: number): Promise<Record<string, unknown>> {
  const { child, url } = await startResponder(tls);
  const ca = tls ? testTls().ca : undefined;
  try {
    const warm = await Fleet.start({ acsUrl: url, ...(ca ? { ca } : {}), phones: 7, models: MIX, serialPrefix: 'WARM' });
    await warm.settled();
    await warm.stop();
    const heap0 = heap();
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const fleet = await Fleet.start({
      acsUrl: url, ...(ca ? { ca } : {}), phones: n, models: v.models === 'mix' ? MIX : v.models!, concurrency, serialPrefix: 'CAP',
      provisionTimeoutMs: 600_000,
    });
    await fleet.settled();
    const bootMs = performance.now() - t0;
    const booted = fleet.stats.counts().compliant;
    const idleHeap = (heap() - heap0) / n;
    const idleRss = (process.memoryUsage().rss - rss0) / n;
    for (const p of fleet.phones) if (p) fillAsProvisioned(p);
    const provHeap = (heap() - heap0) / n;
    // Closed loop: `concurrency` sessions in flight, round-robin over the phones.
    const phones = fleet.phones.filter((p): p is SimPhone => p !== undefined);
    const lat: number[] = [];
    let next = 0;
    let failed = 0;
    const end = performance.now() + seconds * 1000;
    const cpu0 = process.cpuUsage();
    const rcpu0 = await responderCpu(child);
    const w0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const p = phones[next++ % phones.length]!;
        const s0 = performance.now();
        const r = await p.session();
        if (r.ok) lat.push(performance.now() - s0); else failed++;
      }
    }));
    const wall = (performance.now() - w0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const rcpu = (await responderCpu(child)) - rcpu0;
    await fleet.stop();
    const kb = (b: number): number => +(b / 1024).toFixed(1);
    return {
      phones: n, tls, booted, bootSeconds: +(bootMs / 1000).toFixed(1),
      heapKBPerPhone: { idle: kb(idleHeap), provisioned45: kb(provHeap) }, rssKBPerPhoneIdle: kb(idleRss),
      informsPerSecond: Math.round(lat.length / wall), failedSessions: failed, sessionMs: latency(lat),
      simCpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / wall) * 100), responderCpuPercent: Math.round((rcpu / 1e6 / wall) * 100),
      // The steadier figure on a shared machine: the simulator's CPU per session, and what one core would sustain.
      simCpuMsPerInform: +((cpu.user + cpu.system) / 1000 / Math.max(1, lat.length)).toFixed(2),
      informsPerSecondPerCore: Math.round(lat.length / ((cpu.user + cpu.system) / 1e6)),
    };
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  if (!gc) throw new Error('run with --expose-gc (node_modules/.bin/node --expose-gc scripts/bench/sim-capacity.ts)');
  const results = [];
  for (const n of v.phones!.split(',').map(Number)) {
    const r = await measure(n, v.tls!, Number(v.seconds), Number(v.concurrency));
    process.stderr.write(`${JSON.stringify(r)}\n`);
    results.push(r);
  }
  const out = { node: process.version, cpus: `${availableParallelism()} × ${cpus()[0]?.model ?? '?'}`, date: new Date().toISOString(), models: v.models, concurrency: Number(v.concurrency), results };
  const text = `${JSON.stringify(out, null, 2)}\n`;
  if (v.json) writeFileSync(v.json, text); else process.stdout.write(text);
}

if (v.responder) process.once('message', (m) => responder((m as { tls: { cert: string; key: string } | null }).tls));
else main().then(() => process.exit(0), (err: unknown) => { process.stderr.write(`sim-capacity: ${String(err)}\n`); process.exit(1); });
