// Table-driven tests of reading principals and matching Principal / NotPrincipal.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html

import { describe, expect, it } from 'vitest';
import { describePrincipal, isExemptByNotPrincipal, matchPrincipal, strongerGrant, type GrantKind } from './principal.js';
import type { PrincipalElement } from './types.js';

const ACCT = '111122223333';
const USER = `arn:aws:iam::${ACCT}:user/path/alice`;
const ROLE = `arn:aws:iam::${ACCT}:role/team/Deployer`;
const SESSION = `arn:aws:sts::${ACCT}:assumed-role/Deployer/build-1`;
const ROOT = `arn:aws:iam::${ACCT}:root`;
const OIDC = `arn:aws:iam::${ACCT}:oidc-provider/idp.example.com`;
const SAML = `arn:aws:iam::${ACCT}:saml-provider/Corp`;
/** A federated user's session (GetFederationToken). */
const FEDERATED = `arn:aws:sts::${ACCT}:federated-user/dana`;

describe('describePrincipal', () => {
  it.each([
    ['reads an IAM user', USER, 'user', ACCT, undefined],
    ['reads an IAM role', ROLE, 'role', ACCT, undefined],
    ['reads an assumed-role session and its role name', SESSION, 'assumedRole', ACCT, 'Deployer'],
    ['reads a federated user session', `arn:aws:sts::${ACCT}:federated-user/dana`, 'federatedUser', ACCT, undefined],
    ['reads the account root', ROOT, 'root', ACCT, undefined],
    ['reads a bare account id as the account root', ACCT, 'root', ACCT, undefined],
    ['reads a service principal', 'ec2.amazonaws.com', 'service', undefined, undefined],
    ['reads an OIDC provider as an identity provider', 'arn:aws:iam::111122223333:oidc-provider/example.com', 'identityProvider', ACCT, undefined],
    ['reads a SAML provider as an identity provider', 'arn:aws:iam::111122223333:saml-provider/Okta', 'identityProvider', ACCT, undefined],
    ['reads another ARN as other', 'arn:aws:iam::111122223333:server-certificate/web', 'other', ACCT, undefined],
    ['reads a GovCloud user', 'arn:aws-us-gov:iam::111122223333:user/x', 'user', ACCT, undefined],
  ] as const)('%s', (_name, arn, kind, account, roleName) => {
    const info = describePrincipal(arn);
    expect(info.kind).toBe(kind);
    expect(info.account).toBe(account);
    expect(info.roleName).toBe(roleName);
  });
});

type Row = [name: string, element: PrincipalElement, who: string, expected: GrantKind | undefined];

describe('matchPrincipal', () => {
  const rows: Row[] = [
    ['"*" names everyone, publicly', '*', USER, 'public'],
    ['{"AWS": "*"} names everyone, publicly', { AWS: ['*'] }, SESSION, 'public'],
    ['"*" names a service too', '*', 'sns.amazonaws.com', 'public'],
    ['a user ARN names that user directly', { AWS: [USER] }, USER, 'direct'],
    ['a user ARN does not name another user', { AWS: [USER] }, `arn:aws:iam::${ACCT}:user/bob`, undefined],
    ['an account id names its users through the account', { AWS: [ACCT] }, USER, 'account'],
    ['an account root ARN names its sessions through the account', { AWS: [ROOT] }, SESSION, 'account'],
    ['an account id does not name another account’s users', { AWS: ['444455556666'] }, USER, undefined],
    ['an account id does not name a service', { AWS: [ACCT] }, 'sns.amazonaws.com', undefined],
    ['a role ARN names sessions of the role', { AWS: [ROLE] }, SESSION, 'role'],
    ['a role ARN names the role itself directly', { AWS: [ROLE] }, ROLE, 'direct'],
    ['a role ARN does not name another role’s sessions', { AWS: [`arn:aws:iam::${ACCT}:role/Other`] }, SESSION, undefined],
    ['a role ARN of another partition does not name the session', { AWS: [`arn:aws-cn:iam::${ACCT}:role/Deployer`] }, SESSION, undefined],
    ['a session ARN names that session directly', { AWS: [SESSION] }, SESSION, 'direct'],
    ['the strongest of several names wins', { AWS: [ACCT, ROLE, SESSION] }, SESSION, 'direct'],
    ['a role name beats the account', { AWS: [ACCT, ROLE] }, SESSION, 'role'],
    ['a service name names the service', { Service: ['ec2.amazonaws.com'] }, 'ec2.amazonaws.com', 'direct'],
    ['a service name is compared without regard to case', { Service: ['EC2.amazonaws.com'] }, 'ec2.amazonaws.com', 'direct'],
    ['a service name does not name a user', { Service: ['ec2.amazonaws.com'] }, USER, undefined],
    ['a federated provider names that provider', { Federated: ['cognito-identity.amazonaws.com'] }, 'cognito-identity.amazonaws.com', 'direct'],
    ['an OIDC provider ARN under Federated names that provider', { Federated: [OIDC] }, OIDC, 'direct'],
    ['the same URL registered in another account is another provider', { Federated: [`arn:aws:iam::444455556666:oidc-provider/idp.example.com`] }, OIDC, undefined],
    ['an account does not name the identity providers registered in it', { AWS: [ACCT] }, OIDC, undefined],
    ['an account root ARN does not name its identity providers', { AWS: [ROOT] }, OIDC, undefined],
    ['an OIDC provider ARN under AWS names nobody', { AWS: [OIDC] }, SESSION, undefined],
    ['a SAML provider ARN under Federated names that provider', { Federated: [SAML] }, SAML, 'direct'],
    ['an account does not name its SAML providers', { AWS: [ROOT] }, SAML, undefined],
    ['a federated user ARN names that federated user directly', { AWS: [FEDERATED] }, FEDERATED, 'direct'],
    ['an account names its federated users through the account', { AWS: [ACCT] }, FEDERATED, 'account'],
    ['a user ARN of the same name does not name the federated user', { AWS: [`arn:aws:iam::${ACCT}:user/dana`] }, FEDERATED, undefined],
    ['another federated user ARN does not name it', { AWS: [`arn:aws:sts::${ACCT}:federated-user/eve`] }, FEDERATED, undefined],
    ['a canonical user names that user', { CanonicalUser: ['79a59df900b949e5'] }, '79a59df900b949e5', 'direct'],
    ['an empty element names nobody', {}, USER, undefined],
  ];
  it.each(rows)('%s', (_name, element, who, expected) => {
    expect(matchPrincipal(element, describePrincipal(who))).toBe(expected);
  });
});

describe('isExemptByNotPrincipal', () => {
  const rows: Array<[string, PrincipalElement, string, boolean]> = [
    ['exempts a user named with its account', { AWS: [USER, ACCT] }, USER, true],
    ['does not exempt a user named without its account', { AWS: [USER] }, USER, false],
    ['does not exempt a user whose account alone is named', { AWS: [ROOT] }, USER, false],
    ['exempts a session named with its role and account', { AWS: [SESSION, ROLE, ROOT] }, SESSION, true],
    ['does not exempt a session without its session ARN', { AWS: [ROLE, ROOT] }, SESSION, false],
    ['does not exempt a session without its role', { AWS: [SESSION, ROOT] }, SESSION, false],
    ['does not exempt a session without its account', { AWS: [SESSION, ROLE] }, SESSION, false],
    ['exempts the account root when the account is named', { AWS: [ACCT] }, ROOT, true],
    ['exempts a service named by name', { Service: ['ec2.amazonaws.com'] }, 'ec2.amazonaws.com', true],
    ['does not exempt another service', { Service: ['ec2.amazonaws.com'] }, 'sns.amazonaws.com', false],
    ['exempts an identity provider named under Federated', { Federated: [OIDC] }, OIDC, true],
    ['does not exempt an identity provider whose account alone is named', { AWS: [ACCT] }, OIDC, false],
    ['exempts a web-identity session like any role session: session, role and account', { AWS: [SESSION, ROLE, ACCT] }, SESSION, true],
    ['does not exempt a web-identity session for naming its provider', { Federated: [OIDC] }, SESSION, false],
    ['exempts a SAML provider named under Federated', { Federated: [SAML] }, SAML, true],
    ['does not exempt a SAML session for naming its provider', { Federated: [SAML] }, SESSION, false],
    ['exempts a federated user named with its account', { AWS: [FEDERATED, ACCT] }, FEDERATED, true],
    ['does not exempt a federated user named without its account', { AWS: [FEDERATED] }, FEDERATED, false],
    ['does not exempt a federated user whose account alone is named', { AWS: [ROOT] }, FEDERATED, false],
        ['"*" exempts everyone', '*', USER, true],
  ];
  it.each(rows)('%s', (_name, element, who, expected) => {
    expect(isExemptByNotPrincipal(element, describePrincipal(who))).toBe(expected);
  });
});

describe('strongerGrant', () => {
  it.each([
    ['direct', 'account', 'direct'],
    ['account', 'role', 'role'],
    ['public', 'account', 'public'],
    ['role', 'public', 'role'],
    [undefined, 'account', 'account'],
    ['public', undefined, 'public'],
  ] as const)('the stronger of %s and %s is %s', (a, b, expected) => {
    expect(strongerGrant(a, b)).toBe(expected);
  });
});
