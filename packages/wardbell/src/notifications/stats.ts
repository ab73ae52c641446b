/** Counters of the notification service, read by the metrics collector at scrape time. */
export interface NotificationStats {
  sent: number;
  inboxRows: number;
  pushQueued: number;
  grouped: number;
  duplicates: number;
  actions: number;
}

export const newNotificationStats = (): NotificationStats => ({ sent: 0, inboxRows: 0, pushQueued: 0, grouped: 0, duplicates: 0, actions: 0 });
