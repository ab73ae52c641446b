/**
 * The console keeps its own copy of the API's value lists (its bundle carries no server code; its
 * shapes come from the generated API types).
 * These checks fail when the server's lists change and the console's copy does not: at run time for
 * the values, at typecheck (`npm run typecheck`) for the types.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DOMAIN_EVENT_TYPES, type DomainEventType } from '../../packages/wardbell/src/events/index.js';
import { NOTIFICATION_TYPES, PRIORITIES, type NotificationType, type Priority, type Recipients } from '../../packages/wardbell/src/notifications/index.js';
import * as web from '../../packages/wardbell/web/src/lib/types.js';

const sorted = (xs: readonly string[]) => [...xs].sort();

describe('the console speaks the API\'s vocabulary', () => {
  it('lists the same notification types, priorities and event types as the server', () => {
    expect(sorted(web.NOTIFICATION_TYPES)).toEqual(sorted(NOTIFICATION_TYPES));
    expect(sorted(web.PRIORITIES)).toEqual(sorted(PRIORITIES));
    expect(sorted(web.DOMAIN_EVENT_TYPES)).toEqual(sorted(DOMAIN_EVENT_TYPES));
  });

  it('has the same types for them, and for recipients', () => {
    expectTypeOf<web.NotificationType>().toEqualTypeOf<NotificationType>();
    expectTypeOf<web.Priority>().toEqualTypeOf<Priority>();
    expectTypeOf<web.DomainEventType>().toEqualTypeOf<DomainEventType>();
    expectTypeOf<Recipients>().toMatchTypeOf<web.Recipients>();
  });
});
