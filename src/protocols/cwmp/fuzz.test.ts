// Mutation fuzzing of the parser: 20 000 random mutations (byte flips, truncations, insertions of
// markup fragments, deletions, duplications) of the golden messages and of serialized samples.
// Properties: parseEnvelope only ever throws OutpostError; never hangs; whatever it returns
// serializes, and serialize∘parse reaches a fixed point after one round.
// Reproduce a failure with FUZZ_SEED=<seed> (printed in the assertion message).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { OutpostError } from '../../core/errors.ts';
import { parseEnvelope, serializeEnvelope } from './index.ts';
import { sampleEnvelopes } from './testdata/samples.ts';
import { rng } from '../dhcp/testdata/mutate.ts';

const ITERATIONS = Number(process.env['FUZZ_ITERATIONS'] ?? 20_000);
const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 1_000_000);

const FRAGMENTS = ['<', '>', '&', ']]>', '<![CDATA[', '<!--', '-->', '"', "'", '</', '/>', '<!DOCTYPE x>', '<!ENTITY',
  '&#x0;', '&#xFFFFFFFF;', '&#xD800;', '&amp;', '&lt', 'xmlns:x="y"', 'xmlns=""', ' xmlns:cwmp="urn:dslforum-org:cwmp-1-3"', ':',
  '\u0000', '\uFEFF', '\uFFFF', '<?', '?>', '=', 'soap:', 'cwmp:', '<a>', '</a>', '<Value>', '</Value>', 'xsi:type="xsd:boolean"',
  '\r\n', ' ', '<cwmp:Fault>', '<detail>', '<Event/>', '<ParameterValueStruct>', 'é', '\u{1F600}'].map((s) => Buffer.from(s));

function mutate(src: Buffer, rnd: () => number): Buffer {
  let b = src;
  const n = rnd() < 0.6 ? 1 : 2 + Math.floor(rnd() * 3);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(rnd() * (b.length + 1));
    switch (Math.floor(rnd() * 6)) {
      case 0: { // flip bits of one byte
        if (b.length === 0) break;
        b = Buffer.from(b);
        const i = Math.min(pos, b.length - 1);
        b[i] = b[i]! ^ (1 << Math.floor(rnd() * 8));
        break;
      }
      case 1: b = b.subarray(0, pos); break; // truncate
      case 2: b = Buffer.concat([b.subarray(0, pos), FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)]!, b.subarray(pos)]); break;
      case 3: b = Buffer.concat([b.subarray(0, pos), b.subarray(pos + 1 + Math.floor(rnd() * 40))]); break; // delete
      case 4: { // duplicate a slice elsewhere
        const len = Math.floor(rnd() * 80);
        b = Buffer.concat([b.subarray(0, pos), b.subarray(pos, pos + len), b.subarray(pos)]);
        break;
      }
      default: { // random byte
        b = Buffer.concat([b.subarray(0, pos), Buffer.from([Math.floor(rnd() * 256)]), b.subarray(pos)]);
      }
    }
  }
  return b;
}

test(`fuzz: ${ITERATIONS} mutations only ever produce OutpostError, never hang`, () => {
  const dir = new URL('./testdata/golden/', import.meta.url);
  const corpus = [
    ...readdirSync(dir).filter((f) => f.endsWith('.xml')).map((f) => readFileSync(new URL(f, dir))),
    ...sampleEnvelopes().map((e) => Buffer.from(serializeEnvelope(e))),
  ];
  const rnd = rng(SEED);
  const outcomes = new Map<string, number>();
  const started = performance.now();
  let slowest = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(corpus[Math.floor(rnd() * corpus.length)]!, rnd);
    const opts = { charset: rnd() < 0.2 ? 'iso-8859-1' : 'utf-8', strict: rnd() < 0.2 };
    const t0 = performance.now();
    try {
      const env = parseEnvelope(input, opts);
      outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1);
      // Whatever we accept can be sent back, and one round of serialize/parse is a fixed point.
      const once = parseEnvelope(serializeEnvelope(env), { strict: true });
      assert.deepEqual(parseEnvelope(serializeEnvelope(once), { strict: true }), once);
    } catch (e) {
      if (!(e instanceof OutpostError)) {
        assert.fail(`seed ${SEED} iteration ${i}: ${String(e)}\ninput: ${JSON.stringify(input.toString('latin1'))}`);
      }
      outcomes.set(e.code, (outcomes.get(e.code) ?? 0) + 1);
    }
    slowest = Math.max(slowest, performance.now() - t0);
  }
  const total = performance.now() - started;
  assert.ok(slowest < 500, `slowest input took ${slowest.toFixed(1)} ms (seed ${SEED})`);
  assert.ok((outcomes.get('ok') ?? 0) > ITERATIONS / 20, `too few accepted inputs: ${JSON.stringify([...outcomes])}`);
  assert.ok((outcomes.get('ACS_XML_MALFORMED') ?? 0) > ITERATIONS / 20, 'mutations should break the XML often');
  process.stdout.write(`# fuzz seed ${SEED}: ${JSON.stringify(Object.fromEntries(outcomes))} in ${total.toFixed(0)} ms, slowest ${slowest.toFixed(2)} ms\n`);
});
