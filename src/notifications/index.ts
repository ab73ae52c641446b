export * from './model.js';
export { PreferencesSchema, DEFAULT_PREFERENCES, planChannels, pushAllowedAt, localMinutes, type Preferences, type ChannelPlan } from './preferences.js';
export { Directory, type Member } from './directory.js';
export {
  NotificationService,
  encodeCursor,
  decodeCursor,
  type SendInput,
  type SendResult,
  type ActionHandler,
  type ActionContext,
  type ActionOutcome,
} from './service.js';
export { sendFields, authoriseSend, NotificationActionSchema } from './send.js';
