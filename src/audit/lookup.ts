// LookupEvents: the account's audit trail, newest first, filtered like
// CloudTrail's LookupEvents and paginated with cursors bound to the account.
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
import type { Db } from '../db/client.js';
import type { AuditEvent } from '../generated/prisma/client.js';
import { ValidationError } from '../errors.js';
import { paginate, type CursorCodec, type PageArgs } from '../graphql/pagination.js';

export interface LookupFilters {
  startTime?: Date | string | null;
  endTime?: Date | string | null;
  eventName?: string | null;
  userName?: string | null;
  resourceName?: string | null;
  errorCode?: string | null;
  readOnly?: boolean | null;
}

/** One page of the account's events matching the filters. */
export async function lookupEvents(db: Db, cursors: CursorCodec, accountId: string, filters: LookupFilters, page: PageArgs) {
  const start = filters.startTime ? new Date(filters.startTime) : undefined;
  const end = filters.endTime ? new Date(filters.endTime) : undefined;
  if (start && end && start > end) throw new ValidationError('Start time must be earlier than end time.');
  const where = {
    accountId,
    ...(start || end ? { eventTime: { ...(start ? { gte: start } : {}), ...(end ? { lte: end } : {}) } } : {}),
    ...(filters.eventName ? { eventName: filters.eventName } : {}),
    ...(filters.errorCode ? { errorCode: filters.errorCode } : {}),
    ...(filters.readOnly != null ? { readOnly: filters.readOnly } : {}),
    ...(filters.resourceName ? { resources: { has: filters.resourceName } } : {}),
    ...(filters.userName ? { userIdentity: { path: ['userName'], equals: filters.userName } } : {}),
  };
  // v2: keys end in the event's UUID (a row number before), so an older cursor answers "Invalid Marker.".
  const scope = `${accountId}:lookupEvents/v2:${JSON.stringify(filters)}`;
  // Newest first by the time of the call, as CloudTrail orders them (a read's event is stored
  // with its batch, after mutations that came later). The event id breaks ties.
  return paginate<AuditEvent>(cursors, scope, page, (row) => `${row.eventTime.getTime()}.${row.eventId}`, (afterKey, take) =>
    db.auditEvent.findMany({
      where: afterKey ? { AND: [where, before(afterKey)] } : where,
      orderBy: [{ eventTime: 'desc' }, { eventId: 'desc' }],
      take,
    }),
  );
}

/** The events after a page's last one (`<eventTime ms>.<eventId>`) in that order. */
function before(key: string) {
  const [ms, eventId] = key.split('.');
  const eventTime = new Date(Number(ms));
  return { OR: [{ eventTime: { lt: eventTime } }, { eventTime, eventId: { lt: eventId! } }] };
}
