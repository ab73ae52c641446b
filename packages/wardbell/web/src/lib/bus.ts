/** One event from the stream, as the console passes it around. */
export interface StreamEvent {
  /** Increasing number of the event in this page. */
  seq: number;
  type: string;
  /** JSON-parsed data (or the raw string). */
  data: unknown;
  /** The `id:` of the event's own block, if it had one. */
  id: string | undefined;
  /** Which connection of this page delivered it (1 for the first). */
  conn: number;
  receivedAt: number;
}

export type StreamListener = (e: StreamEvent) => void;

/** A tiny synchronous event bus: the stream publishes, panels listen. */
export class StreamBus {
  private readonly listeners = new Set<StreamListener>();
  private seq = 0;

  on(fn: StreamListener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  emit(e: Omit<StreamEvent, 'seq'>): void {
    const event = { ...e, seq: ++this.seq };
    for (const fn of [...this.listeners]) {
      try {
        fn(event);
      } catch (err) {
        console.error('console listener failed', err);
      }
    }
  }
}
