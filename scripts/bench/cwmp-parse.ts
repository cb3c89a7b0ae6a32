// Micro-benchmark of the CWMP codec: ms/op for a 200 KB GetParameterValuesResponse and a typical
// Inform, parse and serialize. Run: node_modules/.bin/node scripts/bench/cwmp-parse.ts
import { readFileSync } from 'node:fs';
import { parseEnvelope, serializeEnvelope } from '../../src/protocols/cwmp/index.ts';
import { bigGpvResponse } from '../../src/protocols/cwmp/testdata/generate.ts';

function bench(label: string, fn: () => unknown, minMs = 1500): void {
  for (let i = 0; i < 20; i++) fn(); // warm-up (JIT)
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < minMs) {
    fn();
    ops++;
    now = performance.now();
  }
  process.stdout.write(`${label.padEnd(48)} ${((now - start) / ops).toFixed(3).padStart(8)} ms/op  (${ops} ops)\n`);
}

const gpv = bigGpvResponse(200 * 1024);
const gpvBuf = Buffer.from(gpv.xml, 'utf8');
const informBuf = readFileSync(new URL('../../src/protocols/cwmp/testdata/golden/inform-tr181-1-4.xml', import.meta.url));
const gpvEnv = parseEnvelope(gpvBuf);
const informEnv = parseEnvelope(informBuf);

process.stdout.write(`node ${process.version}; GPV response ${gpvBuf.length} bytes, ${gpv.expected.body.parameters.length} parameters; `
  + `Inform ${informBuf.length} bytes\n`);
bench('parseEnvelope(GetParameterValuesResponse 200 KB)', () => parseEnvelope(gpvBuf));
bench('parseEnvelope(Inform, TR-181, 12 params)', () => parseEnvelope(informBuf));
bench('serializeEnvelope(GetParameterValuesResponse)', () => serializeEnvelope(gpvEnv));
bench('serializeEnvelope(Inform)', () => serializeEnvelope(informEnv));
