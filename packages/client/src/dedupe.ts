/**
 * A bounded set of recently seen event ids. A reconnect replays from `Last-Event-ID`; if the replay
 * and live delivery overlap (or the server replays a little too much), the same id comes twice, and
 * the application must see it once. Only the last `capacity` ids are kept: replay overlap is short,
 * and an unbounded set would grow for the lifetime of a tab.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  /** @param capacity How many ids to remember. 0 disables deduplication. */
  constructor(private readonly capacity: number) {}

  /**
   * Records `id` and returns `true` when it was seen recently (the event is a duplicate).
   * The empty id never counts as a duplicate: it means "no position", not an event identity.
   */
  seen(id: string): boolean {
    if (this.capacity <= 0 || id === '') return false;
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    // A Set iterates in insertion order, so the first value is the oldest.
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (oldest.done !== true) this.ids.delete(oldest.value);
    }
    return false;
  }

  get size(): number {
    return this.ids.size;
  }
}
