/** Queue names, in one place: a job created under one name and worked under another would never run. */

/** Hourly: deletes events and deliveries older than EVENTS_RETENTION_DAYS (src/events/events-retention.ts). */
export const EVENTS_RETENTION_QUEUE = 'events-retention';
