// Resource ARNs of guarded fields, built the way AWS's Service Authorization
// Reference builds them. Each field's `@iam(resource: ...)` names one template:
//   "*"                        actions without resource-level permissions
//   "parent"                   the ARN of the object the field hangs off (User.groups, ...)
//   "self"                     the caller itself
//   "user(input.userName)"     an entity looked up by name in the caller's account; a second
//   "user(input.userName, input.path)"  argument gives the path of an entity being created.
//                              When the name is absent, user(...) means the caller's own user.
//   "group(...)" "role(...)" "instanceProfile(...)"  likewise
//   "policy(input.policyName, input.path)"  a customer-managed policy being created
//   "mfa(input.virtualMFADeviceName, input.path)"  a virtual MFA device being created
//   "accessKeyOwner(input.accessKeyId)"     the user owning an access key of the caller's account
//   "arn(input.policyArn)"     an ARN given by the caller (policies, MFA serials, roles)
//   "oidcProvider(input.url)"  an OIDC provider being created, named by its issuer URL
//   "federatedUser(input.name)"  the federated user (STS) of that name in the caller's account
//   "samlProvider(input.name)"   a SAML provider of that name in the caller's account (being created)
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
import type { Db } from '../db/client.js';
import type { Loaders } from '../db/loaders.js';
import { federatedUserArn, iamArn } from '../iam/arn.js';
import { findNamed } from '../iam/named-entities.js';
import { oidcProviderArn } from '../iam/oidc-providers.js';
import { samlProviderArn } from '../iam/saml-providers.js';
import type { Principal } from '../sessions/principal.js';

/** What a template reads: the field's parent and arguments, the caller, and the request's database handle and loaders. */
export interface ResourceSource {
  parent: unknown;
  args: Record<string, unknown>;
  principal: Principal;
  db: Db;
  loaders: Loaders;
}

export type ResourceResolver = (source: ResourceSource) => Promise<string> | string;

type EntityKind = 'user' | 'group' | 'role' | 'instanceProfile';

/** `oidcProvider(input.url)`: the OIDC provider being created, named by its URL. */
const OIDC_PROVIDER_TEMPLATE = /^oidcProvider\(\s*([\w.]+)\s*\)$/;

const TEMPLATE = /^(user|group|role|instanceProfile|policy|mfa|accessKeyOwner|arn|federatedUser|samlProvider)\(\s*([\w.]+)\s*(?:,\s*([\w.]+)\s*)?\)$/;

/** Compiles a template once, at schema build time; throws on an unknown template. */
export function compileResource(template: string): ResourceResolver {
  if (template === '*') return () => '*';
  if (template === 'parent') return ({ parent }) => String((parent as { arn: string }).arn);
  if (template === 'self') return ({ principal }) => principal.arn;
  const oidc = OIDC_PROVIDER_TEMPLATE.exec(template);
  if (oidc) {
    // The provider being created: its ARN is its URL without the scheme (src/iam/oidc-providers.ts checks the URL itself).
    const readUrl = compilePath(oidc[1]!);
    return ({ args, principal }) => {
      const url = readUrl(args);
      const key = typeof url === 'string' ? url.replace(/^[a-z]+:\/\//i, '').replace(/\/$/, '') : '';
      return key ? oidcProviderArn(principal.accountId, key) : '*';
    };
  }
  const match = TEMPLATE.exec(template);
  if (!match) throw new Error(`Unknown @iam resource template: ${template}`);
  const [, kind, namePath, pathPath] = match as unknown as [string, EntityKind | 'arn' | 'policy' | 'mfa' | 'accessKeyOwner' | 'federatedUser' | 'samlProvider', string, string | undefined];
  const readName = compilePath(namePath);
  const readPath = pathPath ? compilePath(pathPath) : undefined;
  if (kind === 'policy' || kind === 'mfa') {
    return ({ args, principal }) => {
      const name = readName(args);
      const path = readPath ? readPath(args) : undefined;
      return typeof name === 'string' ? iamArn(principal.accountId, kind, typeof path === 'string' ? path : '/', name) : '*';
    };
  }
  if (kind === 'samlProvider') {
    return ({ args, principal }) => {
      const name = readName(args);
      return typeof name === 'string' ? samlProviderArn(principal.accountId, name) : '*';
    };
  }
  if (kind === 'federatedUser') {
    return ({ args, principal }) => {
      const name = readName(args);
      return typeof name === 'string' ? federatedUserArn(principal.accountId, name) : '*';
    };
  }
  if (kind === 'accessKeyOwner') {
    return async ({ args, db, principal }) => {
      const id = readName(args);
      if (typeof id !== 'string') return '*';
      const key = await db.accessKey.findFirst({ where: { id, accountId: principal.accountId }, select: { user: { select: { arn: true } } } });
      return key?.user.arn ?? '*';
    };
  }
  if (kind === 'arn') {
    return ({ args }) => {
      const value = readName(args);
      return typeof value === 'string' && value !== '' ? value : '*';
    };
  }
  return async (source) => {
    const { args, principal } = source;
    const name = readName(args);
    if (typeof name !== 'string' || name === '') {
      // AWS: with no user name, IAM acts on the caller's own user.
      return kind === 'user' ? principal.arn : '*';
    }
    const found = (await findNamed(source, kind, name))?.arn;
    if (found) return found;
    const path = readPath ? readPath(args) : undefined;
    return iamArn(principal.accountId, kind === 'instanceProfile' ? 'instance-profile' : kind, typeof path === 'string' ? path : '/', name);
  };
}

function compilePath(path: string): (args: Record<string, unknown>) => unknown {
  const steps = path.split('.');
  return (args) => steps.reduce<unknown>((value, step) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined), args);
}
