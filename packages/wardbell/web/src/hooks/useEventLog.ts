import { useEffect, useState } from 'react';
import type { StreamBus, StreamEvent } from '../lib/bus.js';

const MAX = 500;

/** The last 500 events of the stream, newest first. */
export function useEventLog(bus: StreamBus, identityKey: string): { entries: StreamEvent[]; clear(): void } {
  const [entries, setEntries] = useState<StreamEvent[]>([]);
  useEffect(() => setEntries([]), [identityKey]);
  useEffect(() => bus.on((e) => setEntries((list) => [e, ...list].slice(0, MAX))), [bus]);
  return { entries, clear: () => setEntries([]) };
}
