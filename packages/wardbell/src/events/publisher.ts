import type { Audience, DomainEventType, Personal, StoredEvent } from './types.js';

/**
 * Publishing a realtime event (port): what domain code (notifications, workflows) needs of the
 * realtime side, and no more. The event is appended to the durable log (which gives it its id) and
 * fanned out to every process's streams; the promise resolves with the stored event. Audiences are
 * built with `toUser`, `toUsers`, `toTopic` and `toTenant` (`events/types.ts`). `EventManager`
 * (`sse/`) implements it; tests may use a recording fake.
 */
export interface Publisher {
  /** `personal` adds a per-recipient field to `data` at delivery (e.g. each user's unread count). */
  publish(tenantId: string, type: DomainEventType, data: unknown, audience: Audience, personal?: Personal): Promise<StoredEvent>;
}
