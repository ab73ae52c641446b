export * from './model.js';
export {
  PreferencesSchema,
  PreferencesInputSchema,
  LockedSchema,
  DEFAULT_PREFERENCES,
  LOCKED_TYPES,
  LOCKED_PRIORITIES,
  LOCKED_NOTE,
  isCritical,
  planChannels,
  pushAllowedAt,
  localMinutes,
  preferencesView,
  withoutLocked,
  type Preferences,
  type PreferencesView,
  type ChannelPlan,
} from './preferences.js';
export { Directory, type Member } from './directory.js';
export { NotificationService, type NotificationServiceOptions } from './service.js';
export type { SendInput, SendOptions, SendResult } from './sending.js';
export type { ActionHandler, ActionContext, ActionOutcome } from './actions.js';
export type { NotificationStats } from './stats.js';
export type { PushQueue, PushWanted } from './ports.js';
export { encodeCursor, decodeCursor } from './cursor.js';
export { sendFields, authoriseSend, NotificationActionSchema } from './send.js';
export { notificationReads, type NotificationReads, type NotificationAudience, type NotificationContent, type InboxKey, type ReadSet } from './push-view.js';
