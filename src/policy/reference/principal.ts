// The naive reference's Principal and NotPrincipal elements of resource-based
// policies: who the requester is, read from its ARN, and how a statement names it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html

import type { PrincipalElement } from '../types.js';

/**
 * How a Principal element names the requester:
 * - `self`: its own ARN (user, role, role session, federated user) or service name;
 * - `role`: the role whose session makes the request ("role sessions" of that role);
 * - `everyone`: `"*"` / `{"AWS": "*"}`;
 * - `account`: its account (id or `:root` ARN), which hands the decision to the
 *   account's identity-based policies.
 */
export type Naming = 'self' | 'role' | 'everyone' | 'account';

/** The requester as its ARN describes it. */
export interface Requester {
  arn: string;
  account: string | undefined;
  /** For a role session `arn:aws:sts::A:assumed-role/R/s`: `arn:aws:iam::A:role/` and `R`. */
  sessionOf: { account: string; partition: string; roleName: string } | undefined;
  isService: boolean;
  isRoot: boolean;
  /** An IAM OIDC or SAML identity provider (AssumeRoleWithWebIdentity, AssumeRoleWithSAML). */
  isProvider: boolean;
}

const ACCOUNT = /^\d{12}$/;

/** Reads `principalArn`: a 12-digit id is an account root, text without `arn:` a service. */
export function readRequester(arn: string): Requester {
  if (ACCOUNT.test(arn)) return { arn, account: arn, sessionOf: undefined, isService: false, isRoot: true, isProvider: false };
  const fields = arn.split(':');
  if (!arn.startsWith('arn:') || fields.length < 6) {
    return { arn, account: undefined, sessionOf: undefined, isService: true, isRoot: false, isProvider: false };
  }
  const [, partition, service, , account] = fields as [string, string, string, string, string];
  const resource = fields.slice(5).join(':');
  const own = ACCOUNT.test(account) ? account : undefined;
  let sessionOf: Requester['sessionOf'];
  if (service === 'sts' && resource.startsWith('assumed-role/') && own !== undefined) {
    sessionOf = { account: own, partition, roleName: resource.split('/')[1] ?? '' };
  }
  const isProvider = service === 'iam' && (resource.startsWith('oidc-provider/') || resource.startsWith('saml-provider/'));
  return { arn, account: own, sessionOf, isService: false, isRoot: service === 'iam' && resource === 'root', isProvider };
}

/** The account an `AWS` value names: `123456789012` or `arn:aws:iam::123456789012:root`. */
function namedAccount(value: string): string | undefined {
  if (ACCOUNT.test(value)) return value;
  const m = /^arn:[^:]+:iam::(\d{12}):root$/.exec(value);
  return m ? m[1] : undefined;
}

/** Whether `value` is the ARN of the role of the requester's session (any path). */
function namesRoleOfSession(value: string, who: Requester): boolean {
  const s = who.sessionOf;
  if (!s) return false;
  const fields = value.split(':');
  if (fields.length < 6 || fields[0] !== 'arn' || fields[1] !== s.partition || fields[2] !== 'iam' || fields[4] !== s.account) return false;
  const resource = fields.slice(5).join(':');
  return resource.startsWith('role/') && resource.split('/').pop() === s.roleName;
}

const STRENGTH: Naming[] = ['self', 'role', 'everyone', 'account'];

/** How the element names the requester (the most specific way when several apply), or `undefined`. */
export function nameRequester(element: PrincipalElement, who: Requester): Naming | undefined {
  if (element === '*') return 'everyone';
  const found: Naming[] = [];
  for (const value of element.AWS ?? []) {
    if (value === '*') found.push('everyone');
    if (value === who.arn) found.push('self');
    if (namesRoleOfSession(value, who)) found.push('role');
    // An account names its IAM and STS principals, not the identity providers registered in it.
    if (!who.isService && !who.isProvider && who.account !== undefined && namedAccount(value) === who.account) found.push('account');
  }
  if (who.isService && (element.Service ?? []).some((s) => s.toLowerCase() === who.arn.toLowerCase())) found.push('self');
  if ((element.Federated ?? []).includes(who.arn) || (element.CanonicalUser ?? []).includes(who.arn)) found.push('self');
  return STRENGTH.find((n) => found.includes(n));
}

/**
 * Whether NotPrincipal leaves the requester out. AWS may check "the account first,
 * then the role, and then the assumed-role user", so every identity the request
 * carries must be named: "you must also specify the account ARN of the not-denied
 * principal", and for a role session the role as well.
 */
export function isLeftOut(element: PrincipalElement, who: Requester): boolean {
  if (element === '*') return true;
  const aws = element.AWS ?? [];
  if (aws.includes('*')) return true;
  const account = who.account === undefined || aws.some((v) => namedAccount(v) === who.account);
  if (who.isRoot) return account;
  const self =
    aws.includes(who.arn) ||
    (who.isService && (element.Service ?? []).some((s) => s.toLowerCase() === who.arn.toLowerCase())) ||
    (element.Federated ?? []).includes(who.arn) ||
    (element.CanonicalUser ?? []).includes(who.arn);
  // An identity provider is no principal of its account: its own name is the whole of it.
  if (who.isProvider) return self;
  const role = who.sessionOf === undefined || aws.some((v) => namesRoleOfSession(v, who));
  return account && self && role;
}
