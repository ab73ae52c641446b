import type { Identity } from './identity.js';
import { ID_PATTERN } from './identity.js';

/**
 * Topics name an audience inside one tenant: `user:<id>`, `ward:<id>`, `role:<name>`.
 * The whole tenant is not a topic; it is addressed as `{ tenant: true }`.
 */
export type TopicKind = 'user' | 'ward' | 'role';
export interface Topic {
  kind: TopicKind;
  id: string;
}

/** A topic as text: `user:<id>`, `ward:<id>` or `role:<name>` (what {@link parseTopic} accepts). */
export const TOPIC_PATTERN = new RegExp(`^(user|ward|role):${ID_PATTERN.source.slice(1, -1)}$`);

export function parseTopic(raw: string): Topic | null {
  const i = raw.indexOf(':');
  if (i <= 0) return null;
  const kind = raw.slice(0, i);
  const id = raw.slice(i + 1);
  if (kind !== 'user' && kind !== 'ward' && kind !== 'role') return null;
  if (!ID_PATTERN.test(id)) return null;
  return { kind, id };
}

export function formatTopic(t: Topic): string {
  return `${t.kind}:${t.id}`;
}

/** Every topic an identity is granted, own user topic first. */
export function grantedTopics(id: Identity): string[] {
  return [
    `user:${id.userId}`,
    ...id.wards.map((w) => `ward:${w}`),
    ...id.roles.map((r) => `role:${r}`),
  ];
}

export function mayUseTopic(id: Identity, topic: string): boolean {
  const t = parseTopic(topic);
  if (!t) return false;
  switch (t.kind) {
    case 'user':
      return t.id === id.userId;
    case 'ward':
      return id.wards.includes(t.id);
    case 'role':
      return id.roles.includes(t.id);
  }
}

export type TopicSelection =
  | { ok: true; topics: string[] }
  | { ok: false; invalid: string[]; forbidden: string[] };

/**
 * Decides which topics a connection subscribes to. With no request, all granted topics.
 * A request may only narrow: any topic the identity is not granted makes the whole request fail,
 * so a client learns at once that it asked for something it may not see.
 */
export function selectTopics(id: Identity, requested: readonly string[] | undefined): TopicSelection {
  if (!requested || requested.length === 0) return { ok: true, topics: grantedTopics(id) };
  const invalid: string[] = [];
  const forbidden: string[] = [];
  const out = new Set<string>();
  for (const raw of requested) {
    if (!parseTopic(raw)) invalid.push(raw);
    else if (!mayUseTopic(id, raw)) forbidden.push(raw);
    else out.add(raw);
  }
  if (invalid.length || forbidden.length) return { ok: false, invalid, forbidden };
  // A user always hears what is addressed to them personally.
  out.add(`user:${id.userId}`);
  return { ok: true, topics: [...out] };
}
