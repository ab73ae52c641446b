/** `npm run generate:api`: writes packages/client/src/api/schema.ts from the service's OpenAPI description. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { apiTypesSource } from './api-description.js';

const target = fileURLToPath(new URL('../packages/client/src/api/schema.ts', import.meta.url));
writeFileSync(target, await apiTypesSource());
process.stdout.write(`wrote ${target}\n`);
process.exit(0);
