import { createInProcessBus } from '../bus/index.js';
import { createSqlEventLog, type Retention } from '../events/index.js';
import type { Clock } from '../shared/index.js';
import type { Db } from '../store/index.js';
import type { EmbeddedBackbone } from './types.js';

export interface EmbeddedBackboneOptions {
  db: Db;
  retention: Retention;
  clock: Clock;
}

/**
 * The embedded default: the replay log in the SQL store, fan-out by function call. Events reach only
 * this process's streams, so it is for one process (on PostgreSQL too, but then only one).
 */
export function createEmbeddedBackbone(opts: EmbeddedBackboneOptions): EmbeddedBackbone {
  const log = createSqlEventLog({ db: opts.db, retention: opts.retention, clock: opts.clock });
  const bus = createInProcessBus();
  return {
    kind: 'embedded',
    log,
    bus,
    redis: null,
    async close() {
      await bus.close();
      await log.close();
    },
  };
}
