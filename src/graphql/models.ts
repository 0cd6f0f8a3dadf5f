// What some GraphQL types resolve from, when that is neither a database row nor a
// service's own model: the mappers codegen.ts names for them. Kept apart from the
// resolvers so that the generated types (src/generated/graphql.ts) import no resolver.
import type { Connection } from '../db/pagination.js';
import type { Group, User } from '../generated/prisma/client.js';

/** What getGroup resolves to; `arn` (the group's) is the resource of the guarded `users` field. */
export interface GetGroupResultModel {
  arn: string;
  group: Group;
  users: Connection<User>;
  isTruncated: boolean;
  marker: string | null;
}
