// `npm run docs:errors`: write docs/errors.md from the error catalogue (src/core/errors.ts).
// test/errors-doc.test.ts fails when the two differ, so run this after adding or changing a code.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errorsMarkdown } from '../src/core/errors.ts';

const file = join(resolve(import.meta.dirname, '..'), 'docs', 'errors.md');
writeFileSync(file, errorsMarkdown());
process.stdout.write(`wrote ${file}\n`);
