// STS AssumeRoleWithWebIdentity: temporary credentials for a role, in exchange for an
// OpenID Connect ID token from a provider registered in the role's account. It needs no
// AWS credentials: the token is the caller's proof, and the role's trust policy alone
// decides, naming the provider under `Federated`. The session is an assumed-role session
// whose aws:FederatedProvider is the provider's ARN.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html
import type { Clock } from '../clock.js';
import { InvalidIdentityTokenError, ValidationError } from '../errors.js';
import { markTriedIdentity } from '../audit/tried-identity.js';
import type { Sealer } from '../crypto/seal.js';
import { parseIamArn } from '../iam/arn.js';
import { checkTags, checkString, type TagInput } from '../iam/names.js';
import { oidcProviderArn, type IssuerUrlPolicy } from '../iam/oidc-providers.js';
import { httpRequestKeys } from '../auth/request-context.js';
import { requestTagKeys } from '../auth/request-keys.js';
import type { SessionIssuer } from '../sessions/sessions.js';
import { checkRoleSessionRequest, checkSessionPolicies, checkSourceIdentity } from './assume-role-input.js';
import { trustedRole } from './federated-trust.js';
import type { OidcKeyStore } from './oidc-keys.js';
import { verifyWebIdentityToken, type WebIdentity } from './web-identity-token.js';
import { issueRoleSession } from './role-session.js';

export interface AssumeRoleWithWebIdentityInput {
  roleArn: string;
  roleSessionName: string;
  webIdentityToken: string;
  providerId?: string | null;
  policy?: string | null;
  policyArns?: Array<{ arn: string }> | null;
  durationSeconds?: number | null;
}

/** What the call uses: the session issuer (its database reads the role and the provider), the clock, the sealer and the providers' keys. */
export type AssumeRoleWithWebIdentityDeps = SessionIssuer & {
  clock: Clock;
  sealer: Sealer;
  oidcKeys: Pick<OidcKeyStore, 'keysFor'>;
  config: { clockSkewSeconds: number; oidcAllowHttpLoopback: boolean };
};

/** AWS's limit on the token's length (the WebIdentityToken member: 4 to 20,000 characters). */
export const MAX_WEB_IDENTITY_TOKEN_LENGTH = 20_000;

/** The claims AWS reads session tags and a source identity from. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-idp */
const TAGS_CLAIM = 'https://aws.amazon.com/tags';
const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

const ACTION = 'sts:AssumeRoleWithWebIdentity';

/** What the exchange learnt before it answered or failed: whose trail its audit event belongs to, and who tried. */
interface Attempt {
  /** The role's account, once a provider of that account recognised the token's issuer. */
  accountId?: string;
  identity?: WebIdentity;
}

/**
 * Exchanges a web identity token for a role session; see the file's header. The result or
 * error carries the web identity that tried (src/audit/tried-identity.ts), so the audit event
 * is written in the role's account as CloudTrail's WebIdentityUser, once a provider of that
 * account recognised the token's issuer (before that, the caller is anonymous and so is its event).
 */
export async function assumeRoleWithWebIdentity(
  deps: AssumeRoleWithWebIdentityDeps,
  input: AssumeRoleWithWebIdentityInput,
  request: { sourceIp: string; secureTransport: boolean; now: Date },
) {
  const attempt: Attempt = {};
  try {
    const result = await exchange(deps, input, request, attempt);
    markWebIdentity(result, attempt);
    return result;
  } catch (error) {
    markWebIdentity(error, attempt);
    throw error;
  }
}

async function exchange(
  deps: AssumeRoleWithWebIdentityDeps,
  input: AssumeRoleWithWebIdentityInput,
  request: { sourceIp: string; secureTransport: boolean; now: Date },
  attempt: Attempt,
) {
  const policyArns = checkRoleSessionRequest(input);
  checkString(input.webIdentityToken, 'webIdentityToken', 4, MAX_WEB_IDENTITY_TOKEN_LENGTH);
  if (input.providerId != null) {
    // AWS takes ProviderId only with OAuth 2.0 access tokens of Login with Amazon and Facebook.
    throw new ValidationError('ProviderId is only for OAuth 2.0 access tokens (www.amazon.com, graph.facebook.com), which this server does not accept: send an OpenID Connect ID token without ProviderId.');
  }
  const target = parseIamArn(input.roleArn);
  if (target?.type !== 'role') throw new ValidationError(`${input.roleArn} is not a role ARN.`);
  const urlPolicy: IssuerUrlPolicy = { allowHttpLoopback: deps.config.oidcAllowHttpLoopback };

  // The provider is looked up in the role's account: a provider of the same URL in another account is another provider.
  const identity = await verifyWebIdentityToken(input.webIdentityToken, {
    findProvider: async (key) => {
      const found = await deps.db.openIdConnectProvider.findUnique({ where: { arn: oidcProviderArn(target.account, key) } });
      if (found) attempt.accountId = found.accountId;
      return found;
    },
    keysFor: (issuer) => deps.oidcKeys.keysFor(issuer),
    urlPolicy,
    clockSkewSeconds: deps.config.clockSkewSeconds,
    now: request.now,
  });
  attempt.identity = identity;
  const { provider } = identity;
  const { tags, transitiveTagKeys } = readSessionTags(identity.claims[TAGS_CLAIM]);
  const sourceIdentity = readSourceIdentity(identity.claims[SOURCE_IDENTITY_CLAIM]);
  const packedPolicySize = checkSessionPolicies(input, { tags, policyArns });
  const role = await trustedRole(deps.db, {
    action: ACTION,
    providerArn: provider.arn,
    roleArn: input.roleArn,
    context: trustContext(identity, input.roleSessionName, tags, transitiveTagKeys, sourceIdentity, request),
    hasTags: tags.length > 0,
    hasSourceIdentity: sourceIdentity !== undefined,
    policyArns,
  });
  const durationSeconds = input.durationSeconds ?? 3600;
  if (durationSeconds > role.maxSessionDuration) {
    throw new ValidationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }

  const issued = await issueRoleSession(deps, {
    role,
    roleSessionName: input.roleSessionName,
    durationSeconds,
    now: request.now,
    sourceIdentity,
    policy: input.policy,
    policyArns,
    tags,
    federatedProvider: provider.arn,
  });
  return {
    ...issued,
    subjectFromWebIdentityToken: identity.subject,
    packedPolicySize,
    provider: identity.issuer,
    audience: identity.audience,
    sourceIdentity: sourceIdentity ?? null,
  };
}

/**
 * The trust policy's context: the provider's keys (`<url>:aud`, `:sub`, `:amr`, `:oaud`),
 * aws:FederatedProvider, the session's name, tags and source identity, and the HTTP request's keys.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
 */
function trustContext(
  identity: WebIdentity,
  roleSessionName: string,
  tags: TagInput[],
  transitiveTagKeys: string[],
  sourceIdentity: string | undefined,
  request: { sourceIp: string; secureTransport: boolean; now: Date },
): Record<string, string | string[]> {
  const key = identity.provider.url;
  const { claims } = identity;
  const context: Record<string, string | string[]> = {
    ...httpRequestKeys(request),
    'aws:FederatedProvider': identity.provider.arn,
    'sts:RoleSessionName': roleSessionName,
    [`${key}:aud`]: identity.audience,
    [`${key}:sub`]: identity.subject,
    ...requestTagKeys(tags),
  };
  // With azp present, aud holds the other audiences the token was issued for.
  if (typeof claims.azp === 'string' && claims.aud !== undefined) context[`${key}:oaud`] = claims.aud;
  const amr = claims.amr;
  if (typeof amr === 'string' || (Array.isArray(amr) && amr.every((v) => typeof v === 'string'))) context[`${key}:amr`] = amr as string | string[];
  if (transitiveTagKeys.length > 0) context['sts:TransitiveTagKeys'] = transitiveTagKeys;
  if (sourceIdentity !== undefined) context['sts:SourceIdentity'] = sourceIdentity;
  return context;
}

const badClaim = (message: string, cause?: unknown) => new InvalidIdentityTokenError(message, { cause });

/**
 * Session tags from the `https://aws.amazon.com/tags` claim: `principal_tags` maps each key
 * to a one-value list; `transitive_tag_keys` lists keys among them. AWS's tag limits apply.
 */
function readSessionTags(claim: unknown): { tags: TagInput[]; transitiveTagKeys: string[] } {
  if (claim === undefined) return { tags: [], transitiveTagKeys: [] };
  if (!claim || typeof claim !== 'object' || Array.isArray(claim)) throw badClaim(`The ${TAGS_CLAIM} claim must be an object with principal_tags.`);
  const { principal_tags: principalTags, transitive_tag_keys: transitive } = claim as Record<string, unknown>;
  const tags: TagInput[] = [];
  if (principalTags !== undefined) {
    if (!principalTags || typeof principalTags !== 'object' || Array.isArray(principalTags)) throw badClaim(`principal_tags of ${TAGS_CLAIM} must be an object.`);
    for (const [key, values] of Object.entries(principalTags)) {
      const value = Array.isArray(values) && values.length === 1 ? values[0] : values;
      if (typeof value !== 'string') throw badClaim(`principal_tags of ${TAGS_CLAIM}: the value of ${key} must be one string (or a list of one).`);
      tags.push({ key, value });
    }
  }
  try {
    checkTags(tags);
  } catch (error) {
    throw badClaim(`The session tags of ${TAGS_CLAIM} are not acceptable: ${(error as Error).message}`, error);
  }
  const transitiveTagKeys = transitive === undefined ? [] : transitive;
  if (!Array.isArray(transitiveTagKeys) || !transitiveTagKeys.every((k) => typeof k === 'string' && tags.some((t) => t.key === k))) {
    throw badClaim(`transitive_tag_keys of ${TAGS_CLAIM} must list keys of principal_tags.`);
  }
  return { tags, transitiveTagKeys: transitiveTagKeys as string[] };
}

/** The source identity from the `https://aws.amazon.com/source_identity` claim, if any. */
function readSourceIdentity(claim: unknown): string | undefined {
  if (claim === undefined) return undefined;
  if (typeof claim !== 'string') throw badClaim(`The ${SOURCE_IDENTITY_CLAIM} claim must be a string.`);
  try {
    return checkSourceIdentity(claim, SOURCE_IDENTITY_CLAIM);
  } catch (error) {
    throw badClaim(`The ${SOURCE_IDENTITY_CLAIM} claim is not acceptable: ${(error as Error).message}`, error);
  }
}

/** Marks the call's result or error with the web identity that tried it (CloudTrail's WebIdentityUser: `<provider>:<aud>:<sub>`). */
function markWebIdentity(resultOrError: unknown, { accountId, identity }: Attempt): void {
  if (!accountId) return;
  markTriedIdentity(resultOrError, {
    type: 'WebIdentityUser',
    accountId,
    ...(identity
      ? { principalId: `${identity.provider.url}:${identity.audience}:${identity.subject}`, userName: identity.subject, identityProvider: identity.provider.url }
      : {}),
  });
}
