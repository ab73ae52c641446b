/**
 * What a lock screen shows of a push: `full`, the notification's title, body and buttons;
 * `generic`, a text made from its type, priority and ward only (`push/payload.ts`,
 * `genericTextOf`), so that nothing personal shows on a locked phone.
 */
export const LOCK_SCREEN_MODES = ['full', 'generic'] as const;
export type LockScreenMode = (typeof LOCK_SCREEN_MODES)[number];

/** A stored mode; anything else (a row written by a newer version) reads as the safer `generic`. */
export const lockScreenOf = (stored: string): LockScreenMode => (stored === 'full' ? 'full' : 'generic');
