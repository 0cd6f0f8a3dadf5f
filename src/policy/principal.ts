// The Principal and NotPrincipal elements of resource-based policies: who the
// requester is (read from its ARN), whether a statement names it, and how directly.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html

import { registerCache } from './caches.js';
import { splitArn } from './match.js';
import type { PrincipalElement } from './types.js';

/** The kinds of requester the engine tells apart. */
export type PrincipalKind = 'user' | 'role' | 'assumedRole' | 'federatedUser' | 'root' | 'service' | 'identityProvider' | 'other';

/** A requester, as read from `principalArn`. */
export interface PrincipalInfo {
  readonly arn: string;
  readonly kind: PrincipalKind;
  /** The 12-digit account of an IAM or STS principal; `undefined` for service principals. */
  readonly account: string | undefined;
  readonly partition: string | undefined;
  /** For an assumed-role session: the role's name (its ARN's last path segment). */
  readonly roleName: string | undefined;
}

/**
 * How a Principal element named the requester, strongest first:
 * - `direct`: its own ARN (user, role session, federated user session, the role
 *   itself) or its service / federated / canonical-user name;
 * - `role`: the ARN of the role whose session is making the request ("role
 *   sessions" of a role named in Principal);
 * - `public`: `"*"` or `{"AWS": "*"}` (or an Allow with NotPrincipal);
 * - `account`: the 12-digit account or `arn:...:iam::account:root`, which delegates
 *   to the account: its identity-based policies must allow the request too.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
 */
export type GrantKind = 'direct' | 'role' | 'public' | 'account';

const ACCOUNT_ID = /^\d{12}$/;
const cache = new Map<string, PrincipalInfo>();
const use = registerCache('policy_principals', () => cache.size, () => cache.clear());

/** Reads a principal ARN (or service principal name); cached, as servers ask for the same few. */
export function describePrincipal(principalArn: string): PrincipalInfo {
  use.used = true;
  let info = cache.get(principalArn);
  if (info === undefined) {
    info = Object.freeze(describeUncached(principalArn));
    if (cache.size >= 1024) cache.clear();
    cache.set(principalArn, info);
  }
  return info;
}

function describeUncached(arn: string): PrincipalInfo {
  const parts = arn.startsWith('arn:') ? splitArn(arn) : undefined;
  if (!parts) {
    if (ACCOUNT_ID.test(arn)) return { arn, kind: 'root', account: arn, partition: undefined, roleName: undefined };
    return { arn, kind: 'service', account: undefined, partition: undefined, roleName: undefined };
  }
  const [, partition, service, , account, resource] = parts as [string, string, string, string, string, string];
  const base = { arn, partition, account: ACCOUNT_ID.test(account) ? account : undefined, roleName: undefined };
  if (service === 'iam') {
    if (resource === 'root') return { ...base, kind: 'root' };
    if (resource.startsWith('user/')) return { ...base, kind: 'user' };
    if (resource.startsWith('role/')) return { ...base, kind: 'role' };
    // An IAM identity provider asking for a role (AssumeRoleWithWebIdentity, AssumeRoleWithSAML): the
    // trust policy names it as `{"Federated": "<provider ARN>"}`.
    if (resource.startsWith('oidc-provider/') || resource.startsWith('saml-provider/')) return { ...base, kind: 'identityProvider' };
  }
  if (service === 'sts') {
    if (resource.startsWith('assumed-role/')) {
      const roleName = resource.split('/')[1];
      return { ...base, kind: 'assumedRole', roleName };
    }
    if (resource.startsWith('federated-user/')) return { ...base, kind: 'federatedUser' };
  }
  return { ...base, kind: 'other' };
}

/** The account named by an `AWS` principal value (`123456789012` or `arn:...:iam::123456789012:root`). */
function accountOf(value: string): string | undefined {
  if (ACCOUNT_ID.test(value)) return value;
  const parts = value.startsWith('arn:') ? splitArn(value) : undefined;
  if (parts && parts[2] === 'iam' && parts[5] === 'root' && ACCOUNT_ID.test(parts[4] as string)) return parts[4];
  return undefined;
}

/** True when `value` is the ARN of the role whose session `who` is. */
function isRoleOfSession(value: string, who: PrincipalInfo): boolean {
  if (who.kind !== 'assumedRole') return false;
  const parts = value.startsWith('arn:') ? splitArn(value) : undefined;
  if (!parts || parts[2] !== 'iam' || parts[1] !== who.partition || parts[4] !== who.account) return false;
  const resource = parts[5] as string;
  if (!resource.startsWith('role/')) return false;
  // A session ARN carries the role's name without its path.
  return resource.slice(resource.lastIndexOf('/') + 1) === who.roleName;
}

const RANK: Readonly<Record<GrantKind, number>> = Object.freeze({ direct: 4, role: 3, public: 2, account: 1 });

/** The stronger of two grant kinds. */
export function strongerGrant(a: GrantKind | undefined, b: GrantKind | undefined): GrantKind | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

function matchAws(value: string, who: PrincipalInfo): GrantKind | undefined {
  if (value === '*') return 'public';
  if (value === who.arn) return 'direct';
  if (isRoleOfSession(value, who)) return 'role';
  const account = accountOf(value);
  // An account names its IAM and STS principals, not the identity providers registered in it:
  // federated callers are named by `Federated` only.
  if (account !== undefined && who.account === account && who.kind !== 'service' && who.kind !== 'identityProvider') return 'account';
  return undefined;
}

/**
 * How the Principal element names `who`, or `undefined` when it does not.
 * `"*"` and `{"AWS": "*"}` mean every principal; Service, Federated and
 * CanonicalUser values name a requester by exact (service: case-insensitive) name.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
export function matchPrincipal(element: PrincipalElement, who: PrincipalInfo): GrantKind | undefined {
  if (element === '*') return 'public';
  let best: GrantKind | undefined;
  for (const value of element.AWS ?? []) {
    best = strongerGrant(best, matchAws(value, who));
    if (best === 'direct') return best;
  }
  if (who.kind === 'service' && element.Service?.some((s) => s.toLowerCase() === who.arn.toLowerCase())) return 'direct';
  if (element.Federated?.includes(who.arn)) return 'direct';
  if (element.CanonicalUser?.includes(who.arn)) return 'direct';
  return best;
}

/**
 * True when NotPrincipal exempts `who`. AWS may check "the account first, then the
 * role, and then the assumed-role user", so a requester is exempt only when every
 * one of those identities is named: a user needs its ARN and its account; a role
 * session its session ARN, its role's ARN and its account. (@cloud-copilot/iam-simulate
 * exempts on the principal's own ARN alone; we follow the page's "you must also
 * specify the account ARN of the not-denied principal".)
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
export function isExemptByNotPrincipal(element: PrincipalElement, who: PrincipalInfo): boolean {
  if (element === '*') return true;
  const aws = element.AWS ?? [];
  if (aws.includes('*')) return true;
  const namesSelf =
    aws.includes(who.arn) ||
    (who.kind === 'service' && (element.Service ?? []).some((s) => s.toLowerCase() === who.arn.toLowerCase())) ||
    (element.Federated ?? []).includes(who.arn) ||
    (element.CanonicalUser ?? []).includes(who.arn);
  const namesAccount = who.account === undefined || aws.some((v) => accountOf(v) === who.account);
  if (who.kind === 'root') return namesAccount;
  // An identity provider is no principal of its account: its own name is the whole of it.
  if (who.kind === 'identityProvider') return namesSelf;
  if (!namesSelf || !namesAccount) return false;
  if (who.kind === 'assumedRole') return aws.some((v) => isRoleOfSession(v, who));
  return true;
}
