import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Audience } from '../../packages/wardbell/src/events/index.js';
import { createKeyBox } from '../../packages/wardbell/src/push/at-rest.js';
import { MAX_PLAINTEXT_OCTETS } from '../../packages/wardbell/src/push/ece.js';
import { subscriptionWants } from '../../packages/wardbell/src/push/outbox.js';
import { buildPayload, clickUrlOf, topicOf, ttlOf, urgencyOf, type PushNotification } from '../../packages/wardbell/src/push/payload.js';

const n: PushNotification = {
  id: '6f1c1f5e-6c7b-4a0e-9d8e-2d1b6f0f7c11',
  tenantId: 'h1',
  type: 'emergency_call',
  priority: 'urgent',
  title: '응급 호출: 3병동',
  body: '지금 바로 간호사가 필요합니다.',
  data: { ward: '3' },
  actions: [{ id: 'accept', label: 'Accept now', style: 'primary' }],
  groupKey: null,
  state: null,
  createdAt: Date.UTC(2026, 0, 15, 3, 0, 0),
};

describe('the payload the service worker receives', () => {
  it('carries id, title, body, priority, type, actions, data, url, the action token and the tag', () => {
    const p = JSON.parse(buildPayload(n, 'tok.en').toString('utf8'));
    expect(p).toEqual({
      v: 1,
      id: n.id,
      type: 'emergency_call',
      priority: 'urgent',
      title: n.title,
      body: n.body,
      actions: [{ id: 'accept', label: 'Accept now', style: 'primary' }],
      data: { ward: '3' },
      url: `/api-test/realtime?notification=${n.id}`,
      token: 'tok.en',
      tag: topicOf(n),
      createdAt: '2026-01-15T03:00:00.000Z',
    });
  });

  it('cuts a long Korean body on a character boundary so the plaintext fits one 4096-octet message', () => {
    const big = { ...n, body: '환자 상태가 악화되었습니다. '.repeat(400) };
    const out = buildPayload(big, 'tok');
    expect(out.length).toBeLessThanOrEqual(MAX_PLAINTEXT_OCTETS);
    expect(out.length).toBeGreaterThan(MAX_PLAINTEXT_OCTETS - 10);
    const p = JSON.parse(out.toString('utf8'));
    expect(p.body.endsWith('…')).toBe(true);
    expect(big.body.startsWith(p.body.slice(0, -1))).toBe(true);
    expect(p.data).toEqual({ ward: '3' });
  });

  it('drops data, then cuts the title, when the body alone cannot make room', () => {
    const out = buildPayload({ ...n, body: 'short', data: { blob: 'x'.repeat(5000) }, title: 'T'.repeat(200) }, 'tok', 600);
    expect(out.length).toBeLessThanOrEqual(600);
    const p = JSON.parse(out.toString('utf8'));
    expect(p.data).toEqual({});
    expect(p.title).toBe('T'.repeat(200));
    const tight = JSON.parse(buildPayload({ ...n, title: 'T'.repeat(400) }, 'tok', 400).toString('utf8'));
    expect(tight.title.endsWith('…')).toBe(true);
  });

  it.each([
    [{ url: '/schedules/2026-12' }, '/schedules/2026-12'],
    [{ url: 'https://schedule.hospital.example/swap/42' }, 'https://schedule.hospital.example/swap/42'],
    [{ url: '//evil.example/x' }, '/api-test/realtime?notification=n1'],
    [{ url: 'javascript:alert(1)' }, '/api-test/realtime?notification=n1'],
    [{ url: 42 }, '/api-test/realtime?notification=n1'],
    [null, '/api-test/realtime?notification=n1'],
  ])('opens %j at %s', (data, url) => {
    expect(clickUrlOf({ id: 'n1', data })).toBe(url);
  });
});

describe('push headers from the notification', () => {
  it('maps priority to Urgency (RFC 8030 Section 5.3) and TTL', () => {
    expect((['urgent', 'high', 'medium', 'low'] as const).map((p) => [urgencyOf(p), ttlOf(p)])).toEqual([
      ['high', 3600],
      ['high', 14_400],
      ['normal', 86_400],
      ['low', 86_400],
    ]);
  });

  it('derives a Topic of at most 32 base64url characters, shared by a group and scoped by tenant', () => {
    const t = topicOf(n);
    expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(topicOf({ ...n, id: 'other', groupKey: 'ward3-census' })).toBe(topicOf({ ...n, id: 'another', groupKey: 'ward3-census' }));
    expect(topicOf({ ...n, groupKey: 'ward3-census' })).not.toBe(topicOf({ ...n, tenantId: 'h2', groupKey: 'ward3-census' }));
    expect(topicOf({ ...n, id: 'a' })).not.toBe(topicOf({ ...n, id: 'b' }));
  });
});

describe('which subscriptions want a notification', () => {
  const mine = ['user:kim'];
  const ward = ['user:kim', 'ward:3'];
  it.each([
    [mine, { kind: 'users', users: ['kim'] }, 'medium', true],
    [mine, { kind: 'tenant' }, 'medium', true],
    [mine, { kind: 'topic', topic: 'ward:3' }, 'high', false],
    [ward, { kind: 'topic', topic: 'ward:3' }, 'high', true],
    [ward, { kind: 'topic', topic: 'role:nurse' }, 'medium', false],
    [mine, { kind: 'topic', topic: 'ward:3' }, 'urgent', true],
  ] as const)('topics %j, audience %j, %s -> %s', (topics, audience, priority, wants) => {
    expect(subscriptionWants(topics, audience as Audience, priority)).toBe(wants);
  });
});

describe('keys at rest', () => {
  const box = createKeyBox(randomBytes(32));
  const ctx = { tenantId: 'h1', userId: 'kim', endpoint: 'https://fcm.googleapis.com/fcm/send/abc' };
  const secret = JSON.stringify({ p256dh: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6', auth: 'BTBZMqHH6r4Tts7J_aSIgg' });

  it('round-trips and never contains the plain text', () => {
    const sealed = box.seal(secret, ctx);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('BTBZMqHH6r4Tts7J_aSIgg');
    expect(box.open(sealed, ctx)).toBe(secret);
  });

  it.each([
    ['another tenant', { ...ctx, tenantId: 'h2' }],
    ['another user', { ...ctx, userId: 'lee' }],
    ['another endpoint', { ...ctx, endpoint: 'https://fcm.googleapis.com/fcm/send/xyz' }],
  ])('does not open for %s', (_name, other) => {
    expect(box.open(box.seal(secret, ctx), other)).toBeNull();
  });

  it('does not open under another key, nor with a truncated tag', () => {
    const sealed = box.seal(secret, ctx);
    expect(createKeyBox(randomBytes(32)).open(sealed, ctx)).toBeNull();
    const parts = sealed.split('.');
    parts[3] = Buffer.from(parts[3] ?? '', 'base64url').subarray(0, 4).toString('base64url');
    expect(box.open(parts.join('.'), ctx)).toBeNull();
  });

  it('refuses a key that is not 32 octets', () => {
    expect(() => createKeyBox(randomBytes(16))).toThrow('32 octets');
  });
});
