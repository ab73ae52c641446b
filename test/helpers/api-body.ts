import type { BackupFile } from '../../packages/wardbell/src/push/index.js';

/** An inbox item, as far as tests read it. */
export interface InboxItemBody {
  id: string;
  title: string;
  createdAt: string;
  readAt: string | null;
  actedAction: string | null;
  data?: { mark?: string } | null;
}

/**
 * The fields of the service's JSON answers that the fault and isolation suites read. One type for
 * every answer keeps their request helpers simple, and unlike `any` it still catches a misspelt
 * field or a wrong type; a test that needs a field asserts its presence (`!`), which throws if the
 * answer lacks it.
 */
export interface ApiBody {
  /** An event's id (`POST /api/events`). */
  id?: string;
  /** Readiness (`GET /readyz`). */
  status?: string;
  checks?: Record<string, string>;
  ticket?: string;
  /** An action press's outcome. */
  result?: string;
  notification?: { id: string };
  recipients?: number;
  duplicate?: boolean;
  data?: { mark?: string };
  items?: InboxItemBody[];
  unreadCount?: number;
  nextCursor?: string | null;
  subscription?: { topics: string[] };
  /** A count in push statistics; the list in a backup file. */
  subscriptions?: number | BackupFile['subscriptions'];
  users?: number;
  restored?: number;
  error?: { code: string; message: string; requestId?: string };
}

/** A body as read from a response: JSON when it parsed, else its text. */
export function parseBody(text: string): ApiBody {
  try {
    return JSON.parse(text) as ApiBody;
  } catch {
    return { error: { code: 'not_json', message: text } };
  }
}
