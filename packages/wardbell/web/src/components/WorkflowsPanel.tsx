import { has, type Capabilities } from '../lib/capabilities.js';
import type { StreamBus } from '../lib/bus.js';
import type { Session } from '../lib/session.js';
import { EmergencyCard } from './EmergencyCard.js';
import { ScheduleCard } from './ScheduleCard.js';
import { SwapCard } from './SwapCard.js';
import { Missing } from './ui.js';

/** The scheduling workflows, tried end to end: open a second tab as the other person. */
export function WorkflowsPanel({ session, bus, caps }: { session: Session; bus: StreamBus; caps: Capabilities }) {
  return (
    <div className="panel-grid">
      <p className="intro">
        Try each flow with two people: open a second tab as someone else (Identity → <em>Open a second tab as</em>), act here, answer there. Workflow calls use{' '}
        {session.senderClaims ? 'the console’s service token' : 'your token (it needs role service or admin)'}.
      </p>
      {has(caps, 'POST /api/swaps') ? <SwapCard session={session} bus={bus} /> : <Missing what="Shift swaps" route="POST /api/swaps" />}
      {has(caps, 'POST /api/emergency-calls') ? <EmergencyCard session={session} bus={bus} /> : <Missing what="Emergency calls" route="POST /api/emergency-calls" />}
      <ScheduleCard session={session} canSchedule={has(caps, 'POST /api/schedules/published')} canRemind={has(caps, 'POST /api/reminders')} />
    </div>
  );
}
