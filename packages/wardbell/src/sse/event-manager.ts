import type { Bus } from '../bus/index.js';
import { toTenant, toTopic, toUser, toUsers, type Audience, type DomainEventType, type EventLog, type Personal, type Publisher, type StoredEvent } from '../events/index.js';
import type { ConnectRequest, SseTransport } from './connection.js';
import type { SseHub } from './hub.js';

/** Counters of the publish side, read by the metrics collector. */
export interface PublishStats {
  published: Record<string, number>;
}

/**
 * The seed's event manager (section 1.1): register clients and send to a user, a topic or a whole
 * tenant. Sending appends to the durable log first (which gives the event its id), then fans out
 * through the bus to every process's hub, so what a client gets live it can also get on replay.
 * Domain code needs only `publish`: depend on the `Publisher` port (`events/publisher.ts`), with the
 * audience constructors `toUser`/`toUsers`/`toTopic`/`toTenant`; the `sendTo*` methods are shorthands.
 */
export class EventManager implements Publisher {
  readonly stats: PublishStats = { published: {} };
  constructor(
    private readonly deps: { log: EventLog; bus: Bus; hub: SseHub },
  ) {}

  registerClient(req: ConnectRequest, transport: SseTransport) {
    return this.deps.hub.register(req, transport);
  }

  sendToUser(tenantId: string, userId: string, type: DomainEventType, data: unknown): Promise<StoredEvent> {
    return this.publish(tenantId, type, data, toUser(userId));
  }

  sendToUsers(tenantId: string, userIds: readonly string[], type: DomainEventType, data: unknown): Promise<StoredEvent> {
    return this.publish(tenantId, type, data, toUsers(userIds));
  }

  sendToTopic(tenantId: string, topic: string, type: DomainEventType, data: unknown): Promise<StoredEvent> {
    return this.publish(tenantId, type, data, toTopic(topic));
  }

  broadcast(tenantId: string, type: DomainEventType, data: unknown): Promise<StoredEvent> {
    return this.publish(tenantId, type, data, toTenant());
  }

  /** Publishes to an audience; `personal` adds a per-recipient field (e.g. each unread count). */
  async publish(tenantId: string, type: DomainEventType, data: unknown, audience: Audience, personal?: Personal): Promise<StoredEvent> {
    const stored = await this.deps.log.append({ tenantId, type, data, audience, personal });
    this.stats.published[type] = (this.stats.published[type] ?? 0) + 1;
    await this.deps.bus.publish(stored);
    return stored;
  }
}
