/** Writes docs/rules.schema.json from the zod rules schema (editor completion for rules files). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rulesJsonSchema } from '../lambdas/config.ts';

const path = join(import.meta.dirname, '..', 'docs', 'rules.schema.json');
await writeFile(path, `${JSON.stringify(rulesJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${path}\n`);
