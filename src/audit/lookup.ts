// LookupEvents: the account's audit trail, newest first, filtered like
// CloudTrail's LookupEvents and paginated with cursors bound to the account.
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../db/client.js';
import { ValidationError } from '../errors.js';
import { paginate, type CursorCodec, type PageArgs } from '../db/pagination.js';
import { newestFirst, type TrailEvent } from './trail.js';

export interface LookupFilters {
  startTime?: Date | string | null;
  endTime?: Date | string | null;
  eventName?: string | null;
  userName?: string | null;
  resourceName?: string | null;
  errorCode?: string | null;
  readOnly?: boolean | null;
}

/** One page of the account's events matching the filters, as of `now`. */
export async function lookupEvents(db: Db, cursors: CursorCodec, accountId: string, filters: LookupFilters, page: PageArgs, now: Date) {
  const start = filters.startTime ? new Date(filters.startTime) : undefined;
  const end = filters.endTime ? new Date(filters.endTime) : undefined;
  if (start && end && start > end) throw new ValidationError('Start time must be earlier than end time.');
  const where: Prisma.Sql[] = [];
  if (filters.eventName) where.push(Prisma.sql`"eventName" = ${filters.eventName}`);
  if (filters.errorCode) where.push(Prisma.sql`"errorCode" = ${filters.errorCode}`);
  if (filters.readOnly != null) where.push(Prisma.sql`"readOnly" = ${filters.readOnly}`);
  if (filters.userName) where.push(Prisma.sql`"userIdentity"->>'userName' = ${filters.userName}`);
  // v2: keys end in the event's UUID (a row number before), so an older cursor answers "Invalid Marker.".
  const scope = `${accountId}:lookupEvents/v2:${JSON.stringify(filters)}`;
  // Newest first by the time of the call, as CloudTrail orders them (a read's event is stored
  // with its batch, after mutations that came later). The event id breaks ties.
  return paginate<TrailEvent>(cursors, scope, page, (row) => `${row.eventTime.getTime()}.${row.eventId}`, (afterKey, take) =>
    newestFirst(db, accountId, where, { start, end, ...(filters.resourceName ? { resource: filters.resourceName } : {}), ...(afterKey ? { after: positionOf(afterKey) } : {}) }, take, now),
  );
}

/** A page's last event (`<eventTime ms>.<eventId>`), where the next page starts. */
function positionOf(key: string) {
  const [ms, eventId] = key.split('.');
  return { eventTime: new Date(Number(ms)), eventId: eventId! };
}
