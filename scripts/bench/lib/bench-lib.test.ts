// Tests of the pure parts of the benchmark helpers. `npm test` only looks under src/ and test/:
// run with `node_modules/.bin/node --test scripts/bench/lib/bench-lib.test.ts`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResponse } from './http1.ts';
import { median, percentile } from './stats.ts';
import { groupOf, summarise } from './cpuprofile.ts';
import { informTemplate } from './cwmp-phone.ts';
import { parseEnvelope } from '../../../src/protocols/cwmp/parse.ts';

test('parseResponse: Content-Length, repeated headers, partial input', () => {
  const raw = Buffer.from('HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nset-cookie: b=2\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 204');
  assert.equal(parseResponse(raw.subarray(0, 40)), null);
  assert.equal(parseResponse(raw.subarray(0, raw.indexOf('hello') + 3)), null);
  const r = parseResponse(raw)!;
  assert.equal(r.res.status, 200);
  assert.equal(r.res.headers['set-cookie'], 'a=1; Path=/\nb=2');
  assert.equal(r.res.body.toString(), 'hello');
  assert.equal(raw.subarray(r.used).toString(), 'HTTP/1.1 204');
});

test('parseResponse: 204 without body, chunked bodies, bad status line', () => {
  const r = parseResponse(Buffer.from('HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n'))!;
  assert.equal(r.res.status, 204);
  assert.equal(r.res.body.length, 0);
  const chunked = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
  assert.equal(parseResponse(chunked.subarray(0, chunked.length - 2)), null);
  const c = parseResponse(chunked)!;
  assert.equal(c.res.body.toString(), 'abcde');
  assert.equal(c.used, chunked.length);
  assert.throws(() => parseResponse(Buffer.from('SIP/2.0 200 OK\r\n\r\n')), /bad status line/);
});

test('percentile (nearest rank) and median', () => {
  const v = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assert.equal(percentile(v, 0.5), 5);
  assert.equal(percentile(v, 0.99), 10);
  assert.equal(percentile(v, 0), 1);
  assert.ok(Number.isNaN(percentile([], 0.5)));
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2);
  assert.equal(median([NaN, 7]), 7);
});

test('cpu profile summary: self time, idle apart, restricted to windows', () => {
  const frame = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 0 } });
  const p = {
    nodes: [frame(1, '(root)', ''), frame(2, '(idle)', ''), frame(3, 'hot', 'file:///x/node_modules/pkg/a.js'), frame(4, 'cold', 'node:internal/crypto/keys')],
    // timestamps: 1000 + cumulative deltas → 1010 (hot), 1020 (hot), 1030 (idle), 1040 (cold)
    samples: [3, 3, 2, 4], timeDeltas: [10, 10, 10, 10], startTime: 1000, endTime: 1040,
  };
  const all = summarise(p);
  assert.ok(Math.abs(all.busyMs - 0.03) < 1e-9);
  assert.ok(Math.abs(all.idleMs - 0.01) < 1e-9);
  assert.equal(all.functions[0]!.name, 'hot');
  assert.equal(all.groups[0]!.name, 'npm:pkg');
  assert.equal(all.groups[1]!.name, 'node:crypto/keys');
  const w = summarise(p, 25, [[1035, 1045]]);
  assert.deepEqual(w.functions.map((f) => f.name), ['cold']);
  assert.equal(groupOf('', '(garbage collector)'), '(garbage collector)');
});

test('the benchmark Inform is a valid CWMP Inform for the given serial and events', () => {
  const { xml, deviceId } = informTemplate('BENCH000042', ['2 PERIODIC']);
  const env = parseEnvelope(xml.replace('@@CWMPID@@', '7'));
  assert.equal(env.body.method, 'Inform');
  assert.equal(env.header.id, '7');
  assert.match(deviceId, /BENCH000042$/);
  if (env.body.method === 'Inform') {
    assert.deepEqual(env.body.events.map((e) => e.code), ['2 PERIODIC']);
    assert.equal(env.body.parameters.length, 12);
  }
});
