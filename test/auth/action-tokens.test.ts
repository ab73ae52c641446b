import { describe, expect, it } from 'vitest';
import { createActionTokens } from '../../packages/wardbell/src/auth/index.js';

const secret = new TextEncoder().encode('an-action-token-secret-of-32-bytes!!');
const claims = { tenantId: 'h1', userId: 'kim', notificationId: 'n-1' };

describe('action tokens', () => {
  it('verify what they signed until they expire', () => {
    let t = 1000;
    const tokens = createActionTokens(secret, () => t);
    const token = tokens.sign(claims, 60_000);
    expect(tokens.verify(token)).toEqual({ ...claims, issuedAtMs: 1000, validUntilMs: 61_000 });
    t += 60_001;
    expect(tokens.verify(token)).toBeNull();
  });

  it('refuse tampered, foreign and malformed tokens', () => {
    const tokens = createActionTokens(secret);
    const token = tokens.sign(claims, 60_000);
    const [payload, sig] = token.split('.') as [string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ t: 'h2', u: 'kim', n: 'n-1', e: Date.now() + 60_000 })).toString('base64url');
    expect(tokens.verify(`${forgedPayload}.${sig}`)).toBeNull();
    expect(createActionTokens(new TextEncoder().encode('x'.repeat(40))).verify(token)).toBeNull();
    for (const bad of ['', '.', 'abc', `${payload}.`, `${payload}.${'A'.repeat(43)}`]) expect(tokens.verify(bad)).toBeNull();
  });

  it('refuse short secrets', () => {
    expect(() => createActionTokens(new TextEncoder().encode('short'))).toThrow(/32 bytes/);
  });
});
