import { describe, expect, it } from 'vitest';
import {
  expectedPushes,
  expectedStream,
  makeScenario,
  membersOf,
  plan,
  sees,
  selectedTopics,
  type Member,
  type ModelNotification,
  type StreamSpec,
  type TenantScenario,
} from './isolation-model.js';

const kim: Member = { userId: 'kim', roles: ['nurse'], wards: ['3'], muted: false };
const lee: Member = { userId: 'lee', roles: ['doctor'], wards: ['1'], muted: true };

function tenant(over: Partial<TenantScenario>): TenantScenario {
  return { id: 'h0', members: [kim, lee], subs: [], phases: [], events: [], notifications: [], inbox: new Map(), everRead: new Set(), streams: [], ...over };
}

const stream = (over: Partial<StreamSpec>): StreamSpec => ({
  name: 's', tenant: 'h0', who: kim, via: 'a', auth: 'bearer', ticketVia: 'a', topics: ['user:kim', 'ward:3', 'role:nurse'], expect: { mode: 'fresh', head: 0 }, ...over,
});

describe('the isolation model', () => {
  it('sees an event by tenant, by listed user, by its own user topic, or by a selected topic only', () => {
    const topics = ['user:kim', 'ward:3'];
    expect(sees({ kind: 'tenant' }, 'kim', topics)).toBe(true);
    expect(sees({ kind: 'users', users: ['kim', 'lee'] }, 'kim', topics)).toBe(true);
    expect(sees({ kind: 'users', users: ['lee'] }, 'kim', topics)).toBe(false);
    expect(sees({ kind: 'topic', topic: 'user:kim' }, 'kim', ['ward:3'])).toBe(true);
    expect(sees({ kind: 'topic', topic: 'ward:3' }, 'kim', topics)).toBe(true);
    expect(sees({ kind: 'topic', topic: 'role:nurse' }, 'kim', topics)).toBe(false);
  });

  it('narrows topics only to granted ones and always keeps the user topic', () => {
    expect(selectedTopics(kim, undefined)).toEqual(['user:kim', 'ward:3', 'role:nurse']);
    expect(selectedTopics(kim, ['ward:3'])).toEqual(['ward:3', 'user:kim']);
    expect(selectedTopics(kim, ['ward:3', 'ward:1'])).toBeNull();
  });

  it('resolves audiences against the directory and plans channels from preferences', () => {
    expect(membersOf([kim, lee], { kind: 'topic', topic: 'ward:3' })).toEqual(['kim']);
    expect(membersOf([kim, lee], { kind: 'topic', topic: 'user:park' })).toEqual([]);
    expect(membersOf([kim, lee], { kind: 'tenant' })).toEqual(['kim', 'lee']);
    expect(plan(lee, 'schedule_updated', 'high')).toEqual({ inbox: false, push: false });
    expect(plan(lee, 'schedule_updated', 'urgent')).toEqual({ inbox: true, push: true });
    expect(plan(kim, 'general', 'low')).toEqual({ inbox: true, push: false });
  });

  it('expects a stream to get the visible events after its start, with its own unread count, a reset first', () => {
    const t = tenant({
      events: [
        { offset: 1, type: 'schedule.updated', audience: { kind: 'tenant' }, label: 'h0-e0' },
        { offset: 2, type: 'notification', audience: { kind: 'topic', topic: 'ward:3' }, label: 'h0-n0', personal: { kim: 1 } },
        { offset: 3, type: 'schedule.updated', audience: { kind: 'users', users: ['lee'] }, label: 'h0-e1' },
        { offset: 4, type: 'notification', audience: { kind: 'tenant' }, label: 'h0-n1', personal: { kim: 2 } },
      ],
    });
    expect(expectedStream(t, stream({}))).toEqual(['1|schedule.updated|h0-e0', '2|notification|h0-n0#1', '4|notification|h0-n1#2']);
    expect(expectedStream(t, stream({ topics: ['user:kim'], expect: { mode: 'replay', from: 1, waitFor: 4 } }))).toEqual(['4|notification|h0-n1#2']);
    expect(expectedStream(t, stream({ who: lee, topics: ['user:lee'], expect: { mode: 'reset', reason: 'epoch-mismatch', head: 2 } }))).toEqual(['2|reset|reset:epoch-mismatch', '3|schedule.updated|h0-e1', '4|notification|h0-n1#-']);
  });

  it('expects pushes on the subscriptions that want them, and does not require one the user read', () => {
    const n = (idx: number, over: Partial<ModelNotification>): ModelNotification => ({
      idx, mark: `h0-n${idx}`, type: 'general', priority: 'medium', actions: [], senderId: 'app', audience: { kind: 'tenant' }, members: ['kim'], inboxUsers: ['kim'], pushUsers: ['kim'], ...over,
    });
    const t = tenant({
      subs: [
        { name: 'all', tenant: 'h0', userId: 'kim', via: 'a', topics: ['user:kim', 'ward:3', 'role:nurse'] },
        { name: 'narrow', tenant: 'h0', userId: 'kim', via: 'b', requested: ['role:nurse'], topics: ['role:nurse', 'user:kim'] },
      ],
      notifications: [n(0, { audience: { kind: 'topic', topic: 'ward:3' } }), n(1, { audience: { kind: 'topic', topic: 'ward:3' }, priority: 'urgent' }), n(2, {})],
      everRead: new Set(['kim\u00002']),
    });
    expect(expectedPushes(t)).toEqual([
      { sub: 'all', mark: 'h0-n0', required: true },
      { sub: 'all', mark: 'h0-n1', required: true },
      { sub: 'narrow', mark: 'h0-n1', required: true },
      { sub: 'all', mark: 'h0-n2', required: false },
      { sub: 'narrow', mark: 'h0-n2', required: false },
    ]);
  });

  it('makes the same scenario from the same seed, numbers each tenant\'s events 1, 2, 3 ..., and covers every audience kind', () => {
    const a = makeScenario(42);
    expect(JSON.stringify(makeScenario(42).tenants.map((t) => t.phases))).toBe(JSON.stringify(a.tenants.map((t) => t.phases)));
    expect(JSON.stringify(makeScenario(43).tenants.map((t) => t.phases))).not.toBe(JSON.stringify(a.tenants.map((t) => t.phases)));
    const kinds = new Set<string>();
    for (const seed of [1, 2, 3, 42]) {
      for (const t of makeScenario(seed).tenants) {
        expect(t.events.map((e) => e.offset)).toEqual(t.events.map((_, i) => i + 1));
        for (const step of t.phases.flat()) {
          if (step.kind === 'publish' && step.expect.status === 202) expect(t.events[step.expect.offset - 1]?.label).toBe(step.mark);
          if (step.kind === 'publish' || step.kind === 'send') {
            const to = step.kind === 'publish' ? step.to : step.body.to;
            kinds.add('users' in to ? 'users' : 'topic' in to ? to.topic.slice(0, to.topic.indexOf(':')) : 'tenant');
          }
        }
      }
    }
    expect([...kinds].sort()).toEqual(['role', 'tenant', 'user', 'users', 'ward']);
  });
});
