import type { Migration } from 'kysely';

/** Migrations of the scheduling workflows (swaps, emergency calls, scheduled jobs), in order. */
export const workflowMigrations: Record<string, Migration> = {};
