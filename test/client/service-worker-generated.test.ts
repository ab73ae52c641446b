import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLASSIC_FILE, serviceWorkerSources, STRING_MODULE_FILE } from '../../scripts/generate-sw.js';
import { WARDBELL_SERVICE_WORKER_CLASSIC } from '@wardbell/client/service-worker-script';

describe('the classic build of the service worker module', () => {
  it('is generated from packages/client/src/service-worker.ts (npm run generate:sw)', () => {
    const fresh = serviceWorkerSources();
    // On failure: service-worker.ts changed; run `npm run generate:sw` and commit both files.
    expect(readFileSync(CLASSIC_FILE, 'utf8') === fresh.classic, 'packages/client/service-worker.classic.js is stale: run npm run generate:sw').toBe(true);
    expect(readFileSync(STRING_MODULE_FILE, 'utf8') === fresh.stringModule, 'packages/client/src/service-worker-script.ts is stale: run npm run generate:sw').toBe(true);
    expect(WARDBELL_SERVICE_WORKER_CLASSIC).toBe(fresh.classic);
  });

  it('is a classic script: no import or export, one IIFE that sets self.WardbellServiceWorker', () => {
    const { classic } = serviceWorkerSources();
    expect(classic).not.toMatch(/^\s*(import|export)\b/m);
    expect(classic).toMatch(/^\(function \(\) \{$/m);
    expect(classic.trimEnd().endsWith('})();')).toBe(true);
    expect(classic).toContain('self.WardbellServiceWorker = { ');
  });

  it('refuses a source that imports anything', () => {
    expect(() => serviceWorkerSources("import type { X } from './x.js';\nexport function f(x: X) { return x; }\n")).toThrow(/self-contained/);
    expect(() => serviceWorkerSources("export { a } from './a.js';\n")).toThrow(/self-contained/);
  });
});
