import type { Bus } from '../bus/index.js';
import { toTenant, toTopic, toUser, toUsers, type Audience, type DomainEventType, type EventLog, type Personal, type Publisher, type StoredEvent } from '../events/index.js';
import type { ConnectRequest, SseTransport } from './connection.js';
import type { OrderedFeed } from './feed.js';
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
    private readonly deps: { log: EventLog; bus: Bus; hub: SseHub; interest?: Pick<OrderedFeed, 'follow' | 'unfollow'> },
  ) {}

  /**
   * Registers a stream: first this process follows the tenant (on a sharded bus, it starts reading
   * the tenant's shard if it was not), then the hub subscribes it and replays, so every event is in
   * the replay or arrives live. The tenant is followed until the stream closes. Null when the client
   * left while the shard was being looked up (nothing was registered; `onClosed` has run).
   */
  async registerClient(req: ConnectRequest, transport: SseTransport): Promise<Awaited<ReturnType<SseHub['register']>> | null> {
    const interest = this.deps.interest;
    if (!interest) return this.deps.hub.register(req, transport);
    await interest.follow(req.tenantId);
    let followed = true;
    const release = () => {
      if (followed) interest.unfollow(req.tenantId);
      followed = false;
    };
    if (transport.destroyed) {
      release();
      req.onClosed?.();
      return null;
    }
    const closed = req.onClosed;
    try {
      return await this.deps.hub.register({ ...req, onClosed: () => (release(), closed?.()) }, transport);
    } catch (err) {
      release();
      throw err;
    }
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
