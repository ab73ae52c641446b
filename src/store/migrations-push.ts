import type { Migration } from 'kysely';

/** Migrations of the push channel (subscriptions, VAPID keys, delivery records), in order, named 2xxx_. */
export const pushMigrations: Record<string, Migration> = {};
