import { splitList } from './session.js';
import type { NotificationAction, Recipients } from './types.js';

export type AudienceKind = 'users' | 'topic' | 'tenant';

export function recipientsOf(kind: AudienceKind, users: string, topic: string): Recipients {
  if (kind === 'users') return { users: splitList(users) };
  if (kind === 'topic') return { topic: topic.trim() };
  return { tenant: true };
}

export const ACTION_PRESETS: Record<string, NotificationAction[]> = {
  none: [],
  ack: [{ id: 'ack', label: 'Acknowledge', style: 'primary' }],
  accept: [
    { id: 'accept', label: 'Accept', style: 'primary' },
    { id: 'decline', label: 'Decline', style: 'secondary' },
  ],
  approve: [
    { id: 'approve', label: 'Approve', style: 'primary' },
    { id: 'reject', label: 'Reject', style: 'danger' },
  ],
};

const STYLES = new Set(['primary', 'secondary', 'danger']);

/** `ack:Acknowledge, later:Later:secondary` -> actions; invalid parts are reported, not dropped. */
export function parseActions(text: string): { actions: NotificationAction[]; error: string | null } {
  const actions: NotificationAction[] = [];
  for (const part of splitList(text)) {
    const [id, label, style] = part.split(':').map((s) => s.trim());
    if (!id || !/^[a-z][a-z0-9_-]{0,31}$/.test(id)) return { actions, error: `"${part}": the id must be short and lowercase, e.g. ack:Acknowledge` };
    const a: NotificationAction = { id, label: label || id };
    if (style) {
      if (!STYLES.has(style)) return { actions, error: `"${part}": style must be primary, secondary or danger` };
      a.style = style as NotificationAction['style'];
    }
    actions.push(a);
  }
  return { actions, error: actions.length > 3 ? 'At most 3 actions.' : null };
}
