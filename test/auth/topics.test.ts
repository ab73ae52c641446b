import { describe, expect, it } from 'vitest';
import { grantedTopics, mayUseTopic, parseTopic, selectTopics, type Identity } from '../../packages/wardbell/src/auth/index.js';

const nurse: Identity = { tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3', 'icu'] };

describe('topic policy', () => {
  it('grants the own user topic, the identity\'s wards and roles', () => {
    expect(grantedTopics(nurse)).toEqual(['user:kim', 'ward:3', 'ward:icu', 'role:nurse']);
  });

  it.each([
    ['user:kim', true],
    ['user:lee', false],
    ['ward:3', true],
    ['ward:4', false],
    ['role:nurse', true],
    ['role:admin', false],
    ['tenant:h2', false],
    ['ward:', false],
    ['ward:3,ward:4', false],
    ['', false],
  ])('%s is allowed: %s', (topic, allowed) => {
    expect(mayUseTopic(nurse, topic)).toBe(allowed);
  });

  it('subscribes to every granted topic when none is asked for', () => {
    expect(selectTopics(nurse, undefined)).toEqual({ ok: true, topics: grantedTopics(nurse) });
  });

  it('narrows to the asked topics and always keeps the own user topic', () => {
    const s = selectTopics(nurse, ['ward:3']);
    expect(s.ok && [...s.topics].sort()).toEqual(['user:kim', 'ward:3']);
  });

  it('refuses the whole request when any asked topic is not granted', () => {
    expect(selectTopics(nurse, ['ward:3', 'ward:9', 'role:admin'])).toEqual({ ok: false, invalid: [], forbidden: ['ward:9', 'role:admin'] });
  });

  it('reports malformed topics separately', () => {
    expect(selectTopics(nurse, ['nonsense', 'ward:3'])).toEqual({ ok: false, invalid: ['nonsense'], forbidden: [] });
  });

  it('parses only the three topic kinds', () => {
    expect(parseTopic('ward:3')).toEqual({ kind: 'ward', id: '3' });
    expect(parseTopic('group:3')).toBeNull();
    expect(parseTopic('ward:a b')).toBeNull();
  });
});
