// The facts of the resource a request acts on that condition keys read: its tags
// (aws:ResourceTag/*, iam:ResourceTag/*) and its permissions boundary
// (iam:PermissionsBoundary), read from the caller's account in one batched query,
// and whether a set of policies reads any of them at all.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
import { parseIamArn, type IamResourceType } from '../iam/arn.js';
import { defineLoader, type LoaderScope, type LoaderSource } from '../db/loaders.js';
import type { PolicyDocument } from '../policy/index.js';

/** Tags and boundary of an existing entity of the caller's account. */
export interface ResourceFacts {
  tags: ReadonlyArray<{ key: string; value: string }>;
  boundary: string | null;
}

/** The facts of a resource that has none, or that is not read. */
export const NO_FACTS: ResourceFacts = Object.freeze({ tags: [], boundary: null });

/**
 * The facts of the resource `arn`; NO_FACTS for a resource of another account or one
 * that does not exist. `source` is the request's database handle, loaders and caller.
 */
export function loadResourceFacts(source: LoaderSource, arn: string): Promise<ResourceFacts> {
  return resourceFactsLoader(source).load(arn);
}

/** Condition keys (lower-cased) whose values come from the resource's own row: its tags and its boundary. */
const FACT_KEY = /^(aws:resourcetag\/|iam:resourcetag\/|iam:permissionsboundary$)/;
const FACT_VARIABLE = /\$\{(aws:resourcetag\/|iam:resourcetag\/|iam:permissionsboundary\})/i;

/**
 * True when some statement of `documents` could read a key that comes from the
 * resource acted on, as a condition key or as a policy variable in a resource or
 * a condition value. Computed once per compiled policy set (src/auth/effective-policies.ts).
 */
export function readsResourceFacts(documents: Iterable<PolicyDocument>): boolean {
  for (const document of documents) {
    for (const statement of document.statements) {
      for (const condition of statement.condition) {
        if (FACT_KEY.test(condition.key.toLowerCase()) || condition.values.some((value) => FACT_VARIABLE.test(value))) return true;
      }
      for (const resource of [...(statement.resource ?? []), ...(statement.notResource ?? [])]) if (FACT_VARIABLE.test(resource)) return true;
    }
  }
  return false;
}

/** Where each taggable entity lives. Table and column names are constants, never input. */
const ENTITY_TABLES: Partial<Record<FactType, { table: string; boundary: string }>> = {
  user: { table: '"User"', boundary: 'e."permissionsBoundaryArn"' },
  role: { table: '"Role"', boundary: 'e."permissionsBoundaryArn"' },
  policy: { table: '"Policy"', boundary: 'NULL' },
  'instance-profile': { table: '"InstanceProfile"', boundary: 'NULL' },
  'oidc-provider': { table: '"OpenIdConnectProvider"', boundary: 'NULL' },
  'saml-provider': { table: '"SamlProvider"', boundary: 'NULL' },
};

/** The kinds of resource whose facts are read: IAM entities, OIDC providers (`oidc-provider/<host/path>`, no IAM path) and SAML providers. */
type FactType = IamResourceType | 'oidc-provider' | 'saml-provider';

/** The type and account of a resource ARN whose facts can be read, or undefined. */
function factTypeOf(arn: string): { type: FactType; account: string } | undefined {
  const oidc = /^arn:aws:iam::(\d{12}):oidc-provider\/./.exec(arn);
  if (oidc) return { type: 'oidc-provider', account: oidc[1]! };
  const saml = /^arn:aws:iam::(\d{12}):saml-provider\/./.exec(arn);
  if (saml) return { type: 'saml-provider', account: saml[1]! };
  return parseIamArn(arn);
}

/**
 * Facts of resources by ARN, batched: nested fields of a list (User.tags on each
 * of 100 users) cost one query per entity type, not one per row. Uncached, so a
 * mutation later in the same operation sees the tags an earlier one wrote.
 * INVARIANT: only the caller's account is read; a foreign ARN has no facts.
 */
const resourceFactsLoader = defineLoader<string, ResourceFacts>(
  'resourceFacts',
  async ({ db, accountId }, arns) => {
    const byType = new Map<FactType, string[]>();
    for (const arn of new Set(arns)) {
      const parsed = factTypeOf(arn);
      if (!parsed || parsed.account !== accountId) continue;
      const list = byType.get(parsed.type);
      if (list) list.push(arn);
      else byType.set(parsed.type, [arn]);
    }
    const facts = new Map<string, { tags: Array<{ key: string; value: string }>; boundary: string | null }>();
    await Promise.all(
      [...byType].map(async ([type, list]) => {
        for (const row of await readFacts(db, accountId, type, list)) {
          let entry = facts.get(row.arn);
          if (!entry) facts.set(row.arn, (entry = { tags: [], boundary: row.boundary }));
          if (row.key !== null) entry.tags.push({ key: row.key, value: row.value ?? '' });
        }
      }),
    );
    return arns.map((arn) => facts.get(arn) ?? NO_FACTS);
  },
  { cache: false },
);

interface FactRow {
  arn: string;
  boundary: string | null;
  key: string | null;
  value: string | null;
}

/** One indexed query: the entity by its unique ARN, left-joined to its tags (the Tag primary key). */
function readFacts(db: LoaderScope['db'], accountId: string, type: FactType, arns: string[]): Promise<FactRow[]> {
  if (type === 'mfa') {
    // An MFA device's id is its serial number, which is its ARN.
    return db.$queryRawUnsafe<FactRow[]>(
      `SELECT t."resourceId" AS arn, NULL AS boundary, t.key, t.value FROM "Tag" t
        WHERE t."resourceType" = 'mfa' AND t."accountId" = $1 AND t."resourceId" = ANY($2::text[])`,
      accountId,
      arns,
    );
  }
  const entity = ENTITY_TABLES[type];
  if (!entity) return Promise.resolve([]);
  return db.$queryRawUnsafe<FactRow[]>(
    `SELECT e.arn, ${entity.boundary} AS boundary, t.key, t.value FROM ${entity.table} e
       LEFT JOIN "Tag" t ON t."resourceType" = '${type}' AND t."resourceId" = e.id
      WHERE e."accountId" = $1 AND e.arn = ANY($2::text[])`,
    accountId,
    arns,
  );
}
