import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTypesSource } from '../../scripts/api-description.js';

describe('the API client\'s types', () => {
  it('are generated from the service\'s current OpenAPI description (npm run generate:api)', async () => {
    const committed = readFileSync(new URL('../../packages/client/src/api/schema.ts', import.meta.url), 'utf8');
    const fresh = await apiTypesSource();
    // On failure: the routes changed; run `npm run generate:api` and commit packages/client/src/api/schema.ts.
    expect(committed === fresh, 'packages/client/src/api/schema.ts is stale: run npm run generate:api').toBe(true);
  });
});
