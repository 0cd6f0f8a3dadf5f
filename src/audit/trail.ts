// The audit trail as one relation: events written one by one (AuditEvent) and
// successful reads written in batches (AuditReadBatch, each row's `events` and
// `requestIds` expanded to one event per call), with AuditEvent's columns either
// way. A batched call without parameters or resources has neither key in its
// JSON: null and an empty list here. A call stored as its request id alone takes
// its event id from it (version digit 8 for 7) and its time from its offset.
import { Prisma, type AuditEvent } from '../generated/prisma/client.js';
import type { DbTx } from '../db/client.js';

/** One event of the trail: AuditEvent's columns, whichever table holds it. */
export type TrailEvent = AuditEvent;

/** An event's place in newest-first order: older events come after it. */
export interface TrailPosition {
  eventTime: Date;
  eventId: string;
}

/**
 * The account's events with `from <= eventTime <= to` (either bound optional) and,
 * given a `resource`, about it, as a subquery. A batch is expanded only when its
 * time span meets the range and it holds the resource, so a range reads only the
 * batches of its own time. Calls stored as their request id have no resource: a
 * resource filter does not read them at all.
 */
export function trailBetween(accountId: string, from: Date | undefined, to: Date | undefined, resource?: string): Prisma.Sql {
  const within = (column: string) =>
    Prisma.sql`${from ? Prisma.sql` AND ${Prisma.raw(column)} >= ${from}` : Prisma.empty}${to ? Prisma.sql` AND ${Prisma.raw(column)} <= ${to}` : Prisma.empty}`;
  const about = (column: string) => (resource === undefined ? Prisma.empty : Prisma.sql` AND ${resource} = ANY(${Prisma.raw(column)})`);
  const spans = Prisma.sql`${from ? Prisma.sql` AND b."lastTime" >= ${from}` : Prisma.empty}${to ? Prisma.sql` AND b."firstTime" <= ${to}` : Prisma.empty}${about('b."resources"')}`;
  return Prisma.sql`(
    SELECT "eventId", "accountId", "eventTime", "eventName", "eventSource", "userIdentity", "sourceIPAddress", "userAgent",
           "requestParameters", "responseElements", "resources", "errorCode", "errorMessage", "requestId", "readOnly"
    FROM "AuditEvent" WHERE "accountId" = ${accountId}${within('"eventTime"')}${about('"resources"')}
    UNION ALL
    SELECT e."eventId", b."accountId", e."eventTime", b."eventName", b."eventSource", b."userIdentity", b."sourceIPAddress", b."userAgent",
           e."requestParameters", NULL::json, COALESCE(e."resources", '{}'), NULL::text, NULL::text, e."requestId", true
    FROM "AuditReadBatch" b
    CROSS JOIN LATERAL json_to_recordset(b."events") AS e("eventId" uuid, "eventTime" timestamp(3), "requestId" text, "requestParameters" json, "resources" text[])
    WHERE b."accountId" = ${accountId}${spans}${within('e."eventTime"')}${about('e."resources"')}
    ${resource === undefined ? Prisma.sql`UNION ALL
    SELECT overlay(r."id"::text placing '8' from 15 for 1)::uuid, b."accountId", r."eventTime", b."eventName", b."eventSource", b."userIdentity", b."sourceIPAddress", b."userAgent",
           NULL::json, NULL::json, '{}'::text[], NULL::text, NULL::text, r."id"::text, true
    FROM "AuditReadBatch" b
    CROSS JOIN LATERAL (
      SELECT "id", b."firstTime" + "offset" * interval '1 millisecond' AS "eventTime" FROM unnest(b."requestIds", b."offsets") AS u("id", "offset")
    ) r
    WHERE b."accountId" = ${accountId}${spans}${within('r."eventTime"')}` : Prisma.empty}
  )`;
}

/** The first window newestFirst reads, in ms; each next one is WINDOW_GROWTH times longer. */
const FIRST_WINDOW_MS = 1_000;
const WINDOW_GROWTH = 8;

/**
 * Up to `take` of the account's events that satisfy `where` (conditions on the
 * trail's columns), newest first (by time, then id), within `start`..`end`, about
 * `resource` if given, and after `after` in that order. Read window by window back in
 * time, each longer than the last, so a page of a long trail sorts only the events of
 * its own time.
 */
export async function newestFirst(
  db: DbTx,
  accountId: string,
  where: Prisma.Sql[],
  bounds: { start?: Date; end?: Date; resource?: string; after?: TrailPosition },
  take: number,
  now: Date,
): Promise<TrailEvent[]> {
  const conditions = [...where];
  if (bounds.after) {
    const { eventTime, eventId } = bounds.after;
    conditions.push(Prisma.sql`("eventTime" < ${eventTime} OR ("eventTime" = ${eventTime} AND "eventId" < ${eventId}::uuid))`);
  }
  const filter = conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
  const ends = [bounds.end, bounds.after?.eventTime].filter((d): d is Date => d !== undefined).map((d) => d.getTime());
  let to = ends.length > 0 ? Math.min(...ends) : undefined;
  const startMs = bounds.start?.getTime() ?? -Infinity;
  const events: TrailEvent[] = [];
  let span = FIRST_WINDOW_MS;
  while (events.length < take && (to === undefined || to >= startMs)) {
    const from = Math.max((to ?? now.getTime()) - span, startMs);
    const rows = await db.$queryRaw<TrailEvent[]>(Prisma.sql`
      SELECT * FROM ${trailBetween(accountId, Number.isFinite(from) ? new Date(from) : undefined, to === undefined ? undefined : new Date(to), bounds.resource)} AS t
      ${filter}
      ORDER BY "eventTime" DESC, "eventId" DESC
      LIMIT ${take - events.length}`);
    events.push(...rows);
    if (!Number.isFinite(from) || !(await olderExists(db, accountId, new Date(from)))) break;
    to = from - 1;
    span *= WINDOW_GROWTH;
  }
  return events;
}

/**
 * Whether the account has an event before `time`: one written alone, or in a batch
 * that starts before it (all of it older, or running into the window just read).
 */
async function olderExists(db: DbTx, accountId: string, time: Date): Promise<boolean> {
  const [row] = await db.$queryRaw<Array<{ older: boolean }>>`
    SELECT EXISTS (SELECT 1 FROM "AuditEvent" WHERE "accountId" = ${accountId} AND "eventTime" < ${time})
        OR EXISTS (SELECT 1 FROM "AuditReadBatch" WHERE "accountId" = ${accountId} AND "lastTime" < ${time})
        OR EXISTS (SELECT 1 FROM "AuditReadBatch" WHERE "accountId" = ${accountId} AND "lastTime" >= ${time} AND "firstTime" < ${time}) AS older`;
  return row!.older;
}

/**
 * Who called what, and when, since `since`, as a subquery (`userIdentity`,
 * `eventSource`, `eventName`, `eventTime`) for last-used times: a batch of reads
 * counts once, at its latest call, without being expanded.
 */
export function latestCallsSince(accountId: string, since: Date): Prisma.Sql {
  return Prisma.sql`(
    SELECT "userIdentity", "eventSource", "eventName", "eventTime" FROM "AuditEvent" WHERE "accountId" = ${accountId} AND "eventTime" >= ${since}
    UNION ALL
    SELECT "userIdentity", "eventSource", "eventName", "lastTime" FROM "AuditReadBatch" WHERE "accountId" = ${accountId} AND "lastTime" >= ${since}
  )`;
}
