// STS AssumeRoleWithSAML: temporary credentials for a role, in exchange for a SAML response
// signed by an identity provider registered in the role's account. It needs no AWS
// credentials: the signed assertion is the caller's proof. The assertion's Role attribute must
// pair the role with the provider, the role's trust policy alone decides (naming the provider
// under `Federated`, with the `saml:` keys), and an assertion is accepted once.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml
import { createHash } from 'node:crypto';
import { markTriedIdentity } from '../audit/tried-identity.js';
import { httpRequestKeys } from '../auth/request-context.js';
import { requestTagKeys } from '../auth/request-keys.js';
import type { Clock } from '../clock.js';
import type { Sealer } from '../crypto/seal.js';
import { isUniqueViolation } from '../db/errors.js';
import { AccessDeniedError, InvalidIdentityTokenError, ValidationError } from '../errors.js';
import type { SamlProvider } from '../generated/prisma/client.js';
import { parseIamArn } from '../iam/arn.js';
import { checkArn, checkString, checkTags, type TagInput } from '../iam/names.js';
import { samlProviderNameOf } from '../iam/saml-providers.js';
import type { SessionIssuer } from '../sessions/sessions.js';
import { checkRoleSessionRequest, checkSessionPolicies, checkSourceIdentity } from './assume-role-input.js';
import { trustedRole } from './federated-trust.js';
import { type SamlIdentity, verifySamlResponse } from './saml-response.js';
import { issueRoleSession } from './role-session.js';

export interface AssumeRoleWithSamlInput {
  roleArn: string;
  principalArn: string;
  samlAssertion: string;
  policy?: string | null;
  policyArns?: Array<{ arn: string }> | null;
  durationSeconds?: number | null;
}

/** What the call uses: the session issuer (its database reads the role and the provider and keeps used assertions), the clock, the sealer and the audience. */
export type AssumeRoleWithSamlDeps = SessionIssuer & {
  clock: Clock;
  sealer: Sealer;
  config: { issuer: string; clockSkewSeconds: number };
};

/** The audience (and Recipient) assertions must name: this server's SAML endpoint. */
export function samlAudienceOf(config: { issuer: string }): string {
  return `${config.issuer.replace(/\/$/, '')}/saml`;
}

/** AWS's SAML attributes. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html */
const ATTRIBUTE = Object.freeze({
  role: 'https://aws.amazon.com/SAML/Attributes/Role',
  roleSessionName: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
  sessionDuration: 'https://aws.amazon.com/SAML/Attributes/SessionDuration',
  sourceIdentity: 'https://aws.amazon.com/SAML/Attributes/SourceIdentity',
  principalTagPrefix: 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:',
  transitiveTagKeys: 'https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys',
});

/** The `saml:` condition keys AWS fills from attributes, by attribute name (the OIDs of eduPerson, eduOrg and X.500). */
const SAML_ATTRIBUTE_KEYS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'urn:oid:2.5.4.3': ['saml:cn', 'saml:commonName'],
  'urn:oid:2.5.4.4': ['saml:surname'],
  'urn:oid:2.5.4.41': ['saml:name'],
  'urn:oid:2.5.4.42': ['saml:givenName'],
  'urn:oid:2.5.4.45': ['saml:x500UniqueIdentifier'],
  'urn:oid:0.9.2342.19200300.100.1.1': ['saml:uid'],
  'urn:oid:0.9.2342.19200300.100.1.3': ['saml:mail'],
  'urn:oid:0.9.2342.19200300.100.1.45': ['saml:organizationStatus'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': ['saml:edupersonaffiliation'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.2': ['saml:edupersonnickname'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.3': ['saml:edupersonorgdn'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.4': ['saml:edupersonorgunitdn'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.5': ['saml:edupersonprimaryaffiliation'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': ['saml:edupersonprincipalname'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': ['saml:edupersonentitlement'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.8': ['saml:edupersonprimaryorgunitdn'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.9': ['saml:edupersonscopedaffiliation'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.10': ['saml:edupersontargetedid'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.11': ['saml:edupersonassurance'],
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.2': ['saml:eduorghomepageuri'],
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.3': ['saml:eduorgidentityauthnpolicyuri'],
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.4': ['saml:eduorglegalname'],
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.5': ['saml:eduorgsuperioruri'],
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.6': ['saml:eduorgwhitepagesuri'],
});

const NAME_ID_FORMAT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:';
const ACTION = 'sts:AssumeRoleWithSAML';

/** AWS's SAMLAssertion member: 4 to 100,000 characters. */
const MAX_SAML_ASSERTION_LENGTH = 100_000;

const notAuthorized = () => new AccessDeniedError(`Not authorized to perform ${ACTION}`);

/** What the exchange learnt before it answered or failed: whose trail its audit event belongs to, and who tried. */
interface Attempt {
  provider?: SamlProvider;
  identity?: SamlIdentity;
}

/**
 * Exchanges a SAML response for a role session; see the file's header. The result or error
 * carries the SAML user that tried (CloudTrail's SAMLUser), once the response verified against
 * a provider of the role's account, so the audit event is written in that account.
 */
export async function assumeRoleWithSaml(deps: AssumeRoleWithSamlDeps, input: AssumeRoleWithSamlInput, request: { sourceIp: string; secureTransport: boolean; now: Date }) {
  const attempt: Attempt = {};
  try {
    const result = await exchange(deps, input, request, attempt);
    markSamlUser(result, attempt);
    return result;
  } catch (error) {
    markSamlUser(error, attempt);
    throw error;
  }
}

async function exchange(deps: AssumeRoleWithSamlDeps, input: AssumeRoleWithSamlInput, request: { sourceIp: string; secureTransport: boolean; now: Date }, attempt: Attempt) {
  // RoleSessionName comes from the assertion: the shared checks run on the members given.
  const policyArns = checkRoleSessionRequest({ ...input, roleSessionName: 'placeholder' });
  checkArn(input.principalArn, 'principalArn');
  checkString(input.samlAssertion, 'samlAssertion', 4, MAX_SAML_ASSERTION_LENGTH);
  const target = parseIamArn(input.roleArn);
  if (target?.type !== 'role') throw new ValidationError(`${input.roleArn} is not a role ARN.`);
  const named = samlProviderNameOf(input.principalArn);
  if (!named) throw new ValidationError(`${input.principalArn} is not a SAML provider ARN (arn:aws:iam::<account>:saml-provider/<name>).`);
  // The provider must be the role's account's: a provider of another account vouches for nobody here.
  if (named.account !== target.account) throw notAuthorized();
  const provider = await deps.db.samlProvider.findUnique({ where: { arn: input.principalArn } });
  if (!provider) throw new InvalidIdentityTokenError(`No SAML provider ${input.principalArn} exists.`);

  const identity = await verifySamlResponse(input.samlAssertion, provider, {
    audiences: [samlAudienceOf(deps.config)],
    now: request.now,
    clockSkewSeconds: deps.config.clockSkewSeconds,
  });
  attempt.provider = provider;
  attempt.identity = identity;

  // The assertion must pair this role with this provider (each value is "role,provider", either order).
  const pairs = (identity.attributes.get(ATTRIBUTE.role) ?? []).map((value) => value.split(',').map((part) => part.trim()));
  if (!pairs.some((pair) => pair.length === 2 && pair.includes(input.roleArn) && pair.includes(input.principalArn))) throw notAuthorized();
  const roleSessionName = readRoleSessionName(identity);
  const { tags, transitiveTagKeys } = readSessionTags(identity);
  const sourceIdentity = readSourceIdentity(identity);
  const packedPolicySize = checkSessionPolicies(input, { tags, policyArns });
  const keys = samlKeys(identity, provider);
  const role = await trustedRole(deps.db, {
    action: ACTION,
    providerArn: provider.arn,
    roleArn: input.roleArn,
    context: trustContext({ ...keys, ...attributeKeys(identity) }, roleSessionName, tags, transitiveTagKeys, sourceIdentity, request),
    hasTags: tags.length > 0,
    hasSourceIdentity: sourceIdentity !== undefined,
    policyArns,
  });
  const durationSeconds = sessionDuration(input, identity, role.maxSessionDuration, request.now);

  // Used up before the session is issued: should issuing fail, the assertion stays spent (the safe side).
  await rememberAssertion(deps.db, provider.accountId, identity, request.now, deps.config.clockSkewSeconds);
  const issued = await issueRoleSession(deps, {
    role,
    roleSessionName,
    durationSeconds,
    now: request.now,
    sourceIdentity,
    policy: input.policy,
    policyArns,
    tags,
  });
  return {
    ...issued,
    packedPolicySize,
    subject: identity.subject,
    subjectType: keys['saml:sub_type'],
    issuer: identity.issuer,
    audience: identity.recipient,
    nameQualifier: keys['saml:namequalifier'],
    sourceIdentity: sourceIdentity ?? null,
  };
}

/**
 * Records the assertion as used, until it expires; InvalidIdentityToken when it was used
 * already. The primary key decides between concurrent uses; expired records of the account
 * are dropped on the way.
 */
async function rememberAssertion(tx: SessionIssuer['db'], accountId: string, identity: SamlIdentity, now: Date, clockSkewSeconds: number): Promise<void> {
  await tx.samlAssertionUse.deleteMany({ where: { accountId, expiresAt: { lt: new Date(now.getTime() - clockSkewSeconds * 1000) } } });
  try {
    await tx.samlAssertionUse.create({ data: { accountId, issuer: identity.issuer, assertionId: identity.assertionId, expiresAt: identity.notOnOrAfter } });
  } catch (error) {
    if (isUniqueViolation(error)) throw new InvalidIdentityTokenError('The SAML assertion has already been used: each assertion is accepted once.', { cause: error });
    throw error;
  }
}

function readRoleSessionName(identity: SamlIdentity): string {
  const [value, ...more] = identity.attributes.get(ATTRIBUTE.roleSessionName) ?? [];
  if (value === undefined || more.length > 0) throw new InvalidIdentityTokenError(`The SAML assertion must carry one ${ATTRIBUTE.roleSessionName} attribute value.`);
  try {
    return checkString(value, 'RoleSessionName', 2, 64, /^[\w+=,.@-]*$/, '[\\w+=,.@-]*');
  } catch (error) {
    throw new InvalidIdentityTokenError(`The SAML assertion's RoleSessionName is not acceptable: ${(error as Error).message}`, { cause: error });
  }
}

function readSourceIdentity(identity: SamlIdentity): string | undefined {
  const [value] = identity.attributes.get(ATTRIBUTE.sourceIdentity) ?? [];
  if (value === undefined) return undefined;
  try {
    return checkSourceIdentity(value, 'SourceIdentity');
  } catch (error) {
    throw new InvalidIdentityTokenError(`The SAML assertion's SourceIdentity is not acceptable: ${(error as Error).message}`, { cause: error });
  }
}

/** Session tags from PrincipalTag:<key> attributes, and the TransitiveTagKeys among them. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-saml */
function readSessionTags(identity: SamlIdentity): { tags: TagInput[]; transitiveTagKeys: string[] } {
  const tags: TagInput[] = [];
  for (const [name, values] of identity.attributes) {
    if (!name.startsWith(ATTRIBUTE.principalTagPrefix)) continue;
    if (values.length !== 1) throw new InvalidIdentityTokenError(`The SAML attribute ${name} must have one value.`);
    tags.push({ key: name.slice(ATTRIBUTE.principalTagPrefix.length), value: values[0]! });
  }
  try {
    checkTags(tags);
  } catch (error) {
    throw new InvalidIdentityTokenError(`The SAML assertion's session tags are not acceptable: ${(error as Error).message}`, { cause: error });
  }
  const transitiveTagKeys = identity.attributes.get(ATTRIBUTE.transitiveTagKeys) ?? [];
  if (!transitiveTagKeys.every((key) => tags.some((tag) => tag.key === key))) throw new InvalidIdentityTokenError('TransitiveTagKeys must name PrincipalTag attributes of the assertion.');
  return { tags, transitiveTagKeys };
}

/**
 * DurationSeconds, else the SessionDuration attribute, else one hour; never beyond the role's
 * maximum (DurationSeconds beyond it is refused, as AssumeRole refuses it) nor the assertion's
 * SessionNotOnOrAfter ("whichever is shorter").
 */
function sessionDuration(input: AssumeRoleWithSamlInput, identity: SamlIdentity, maxSessionDuration: number, now: Date): number {
  let duration = input.durationSeconds ?? 3600;
  if (input.durationSeconds != null && input.durationSeconds > maxSessionDuration) {
    throw new ValidationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  const [attribute] = identity.attributes.get(ATTRIBUTE.sessionDuration) ?? [];
  if (input.durationSeconds == null && attribute !== undefined) {
    const seconds = Number(attribute);
    if (!Number.isInteger(seconds) || seconds < 900 || seconds > 43_200) throw new InvalidIdentityTokenError('The SAML SessionDuration attribute must be a whole number of seconds from 900 to 43200.');
    duration = Math.min(seconds, maxSessionDuration);
  }
  if (identity.sessionNotOnOrAfter) {
    const left = Math.floor((identity.sessionNotOnOrAfter.getTime() - now.getTime()) / 1000);
    if (left <= 0) throw new InvalidIdentityTokenError('The SAML assertion says the session has ended (SessionNotOnOrAfter).');
    duration = Math.min(duration, left);
  }
  return duration;
}

/** The `saml:` keys of the verified assertion. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml */
function samlKeys(identity: SamlIdentity, provider: SamlProvider): Record<'saml:aud' | 'saml:iss' | 'saml:sub' | 'saml:sub_type' | 'saml:namequalifier' | 'saml:doc', string> {
  const format = identity.nameIdFormat;
  const subType = format === `${NAME_ID_FORMAT}persistent` ? 'persistent' : format === `${NAME_ID_FORMAT}transient` ? 'transient' : (format ?? 'unspecified');
  return {
    'saml:aud': identity.recipient,
    'saml:iss': identity.issuer,
    'saml:sub': identity.subject,
    'saml:sub_type': subType,
    // AWS: BASE64(SHA1(Issuer + account id + "/" + provider name)).
    'saml:namequalifier': createHash('sha1').update(`${identity.issuer}${provider.accountId}/${provider.name}`).digest('base64'),
    // The provider as "account/name".
    'saml:doc': `${provider.accountId}/${provider.name}`,
  };
}

/** The `saml:` keys AWS fills from the assertion's attributes (one value: a string; several: a list). */
function attributeKeys(identity: SamlIdentity): Record<string, string | string[]> {
  const keys: Record<string, string | string[]> = {};
  for (const [name, values] of identity.attributes) {
    for (const key of Object.hasOwn(SAML_ATTRIBUTE_KEYS, name) ? SAML_ATTRIBUTE_KEYS[name]! : []) keys[key] = values.length === 1 ? values[0]! : values;
  }
  return keys;
}

/** The trust policy's context: the `saml:` keys, the session's name, tags and source identity, and the HTTP request's keys. */
function trustContext(
  keys: Record<string, string | string[]>,
  roleSessionName: string,
  tags: TagInput[],
  transitiveTagKeys: string[],
  sourceIdentity: string | undefined,
  request: { sourceIp: string; secureTransport: boolean; now: Date },
): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {
    ...httpRequestKeys(request),
    'sts:RoleSessionName': roleSessionName,
    ...keys,
    ...requestTagKeys(tags),
  };
  if (transitiveTagKeys.length > 0) context['sts:TransitiveTagKeys'] = transitiveTagKeys;
  if (sourceIdentity !== undefined) context['sts:SourceIdentity'] = sourceIdentity;
  return context;
}

/** Marks the call's result or error with the SAML user that tried it (CloudTrail's SAMLUser: `<namequalifier>:<subject>`). */
function markSamlUser(resultOrError: unknown, { provider, identity }: Attempt): void {
  if (!provider || !identity) return;
  const qualifier = samlKeys(identity, provider)['saml:namequalifier'];
  markTriedIdentity(resultOrError, { type: 'SAMLUser', accountId: provider.accountId, principalId: `${qualifier}:${identity.subject}`, userName: identity.subject, identityProvider: qualifier });
}
