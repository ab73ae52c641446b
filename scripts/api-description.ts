/**
 * The service's OpenAPI description as the SDK's types are generated from it: a service composed in
 * memory with a fixed configuration (no development routes, default limits), asked for
 * `/api/openapi.json`. Used by `npm run generate:api` and by the test that the generated types are
 * current.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { pino } from 'pino';
import { createWardbell } from '../packages/wardbell/src/compose.js';
import { loadConfig } from '../packages/wardbell/src/config/index.js';

export async function apiDescription(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'wardbell-openapi-'));
  const wb = await createWardbell(
    loadConfig({ NODE_ENV: 'test', WARDBELL_DATA_DIR: dir, WARDBELL_JWT_SECRET: 'openapi-description-secret-0123456789', LOG_LEVEL: 'silent' }),
    { logger: pino({ level: 'silent' }) },
  );
  try {
    return (await (await wb.app.request('/api/openapi.json')).json()) as Record<string, unknown>;
  } finally {
    await wb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const GENERATED_HEADER = `/**
 * The Wardbell HTTP API's types, generated from its OpenAPI description by openapi-typescript:
 * \`npm run generate:api\`. Do not edit; test/client/api-types.test.ts fails when it is stale.
 */
`;

type Doc = { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>> };

/** The text of packages/client/src/api/schema.ts: the types, and the creating POSTs (those that take an Idempotency-Key). */
export async function apiTypesSource(): Promise<string> {
  const doc = await apiDescription();
  // A field with a default is optional to send (and the answers' types keep what the schema requires).
  const ast = await openapiTS(doc as never, { alphabetize: false, defaultNonNullable: false });
  const creates = Object.entries((doc as Doc).paths)
    .filter(([, ops]) => ops.post?.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key'))
    .map(([path]) => path)
    .sort();
  const list = `\n/** Paths whose POST creates something and takes an \`Idempotency-Key\`: safe to retry with the same key. */\nexport const IDEMPOTENT_POSTS: readonly string[] = ${JSON.stringify(creates, null, 2).replace(/"/g, "'")};\n`;
  return `${GENERATED_HEADER}${astToString(ast)}${list}`;
}
