// Dev-time tool: copies the reference data-model CSVs the simulator needs from
// /work/shared/reference/models (or the directory given as argv[2]) into test/sim/models/data/,
// dropping the description column. The simulator reads only data/ at run time, so the project
// never depends on ../shared. Re-run after the reference CSVs change:
//   node_modules/.bin/node test/sim/models/import.ts [/path/to/reference/models]

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv, toCsvLine } from './csv.ts';

const SRC = process.argv[2] ?? '/work/shared/reference/models';
const OUT = join(import.meta.dirname, 'data');

/** reference file → local name; BBF files are flattened to path,kind,type,access,constraints,default. */
const BBF: Record<string, string> = {
  'bbf_tr-106-1-2_Device1_root_flat.csv': 'tr106-1-2-root.csv',
  'bbf_tr-104-1-1_VoiceService_flat.csv': 'tr104-1-1-voice.csv',
  'bbf_tr-104-2-0-2_VoiceService2_flat.csv': 'tr104-2-0-2-voice.csv',
};
/** Vendor observation files are copied whole: they feed the issue-3 families (X_001565_, X_GRANDSTREAM_). */
const OBSERVED: Record<string, string> = {
  'yealink_tr069_params_observed.csv': 'yealink-observed.csv',
  'grandstream_tr069_params_observed.csv': 'grandstream-observed.csv',
};

for (const [from, to] of Object.entries(BBF)) {
  const rows = parseCsv(readFileSync(join(SRC, from), 'utf8'));
  const out = rows.map((r) => toCsvLine(r.slice(0, 6)));
  writeFileSync(join(OUT, to), `# from ${from} (BroadbandForum cwmp-data-models, BSD-3), description column dropped\n${out.join('\n')}\n`);
  process.stdout.write(`${to}: ${rows.length - 1} rows\n`);
}
for (const [from, to] of Object.entries(OBSERVED)) {
  writeFileSync(join(OUT, to), readFileSync(join(SRC, from), 'utf8'));
  process.stdout.write(`${to}: copied\n`);
}
