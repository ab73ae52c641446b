/** One readable line per event type for the log; the full JSON is one click away. */
import { isRecord, oneLine, shortId, time } from './format.js';

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

function ids(v: unknown): string {
  if (v === 'all') return 'all';
  return Array.isArray(v) ? `${v.length}` : '';
}

export function summarize(type: string, data: unknown): string {
  if (!isRecord(data)) return oneLine(data);
  switch (type) {
    case 'notification': {
      const n = isRecord(data.notification) ? data.notification : {};
      const count = typeof data.unreadCount === 'number' ? ` · unread ${data.unreadCount}` : '';
      return `[${str(n.priority)}] ${str(n.title)} — from ${str(n.senderId)}${Number(n.groupCount) > 1 ? ` ×${str(n.groupCount)}` : ''}${count}`;
    }
    case 'notification.updated': {
      if (isRecord(data.action)) return `${str(data.action.by)} answered “${str(data.action.id)}” on ${shortId(str(data.id))}`;
      const n = isRecord(data.notification) ? data.notification : {};
      const st = isRecord(n.state) ? str(n.state.status) : '';
      return `“${str(n.title)}” is now ${st || 'updated'}`;
    }
    case 'inbox.updated': {
      const what = data.read !== undefined ? `read ${ids(data.read)}` : data.deleted !== undefined ? `deleted ${ids(data.deleted)}` : 'changed';
      return `${what} · unread ${str(data.unreadCount)}`;
    }
    case 'swap.requested':
    case 'swap.approved':
    case 'swap.rejected': {
      const s = isRecord(data.swap) ? data.swap : {};
      const shift = isRecord(s.shift) ? str(s.shift.label) || str(s.shift.id) : '';
      return `swap ${str(s.status)}: ${str(s.requesterId)} → ${str(s.targetId)} · ${shift}`;
    }
    case 'emergency.called':
    case 'emergency.updated': {
      const c = isRecord(data.call) ? data.call : {};
      return `${str(c.title)} — ${str(c.status)} · ${str(c.accepted)}/${str(c.needed)} accepted`;
    }
    case 'ping':
      return typeof data.t === 'number' ? `heartbeat (server time ${time(data.t)})` : 'heartbeat';
    case 'reset':
      return `reason ${str(data.reason)} · continues from ${shortId(str(data.lastEventId), 14)}`;
    default:
      return oneLine(data);
  }
}
