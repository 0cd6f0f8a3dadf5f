// STS AssumeRoleWithWebIdentity against a real issuer on loopback HTTP (test/support/jose-issuer.ts):
// what it accepts, and every way a token is refused: forged algorithms, unpublished keys, wrong
// audience or issuer, expiry and clock games, another account's provider, and an identity
// provider that is down (answered within seconds, never a hang, never a 500).
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AssumeRoleDetailsDocument,
  AssumeRoleWithWebIdentityDocument,
  CreateOpenIDConnectProviderDocument,
  GetCallerIdentityDocument,
  LookupEventsDocument,
  PutRolePolicyDocument,
  type AssumeRoleWithWebIdentityInput,
} from './generated/graphql.js';
import { type IssuerKey, type JoseIssuer, newIssuerKey, startJoseIssuer } from './support/jose-issuer.js';
import { ask, createRole, policy } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

// A two-second JWKS cooldown, so that a rotation is seen without waiting the default 30 seconds.
const server = useTestServer({ IAM_OIDC_ALLOW_HTTP_LOOPBACK: 'true', IAM_OIDC_TIMEOUT_MS: '1000', IAM_OIDC_JWKS_COOLDOWN_SECONDS: '2' });
let issuer: JoseIssuer;
let root: { accountId: string; token: string };
let providerArn: string;
let providerKey: string;
const CLIENT = 'my-app';

beforeAll(async () => {
  issuer = await startJoseIssuer();
  root = await server.newAccount();
  providerKey = issuer.url.replace('http://', '');
  providerArn = (await server.ok(CreateOpenIDConnectProviderDocument, { input: { url: issuer.url, clientIDList: [CLIENT] } }, root.token)).createOpenIDConnectProvider.openIDConnectProviderArn;
});
afterAll(async () => {
  await issuer?.close();
});

/** A trust policy letting the provider's users assume the role, with conditions on its claims. */
function webTrust(provider: string, condition: object = {}, actions: string[] = ['sts:AssumeRoleWithWebIdentity']) {
  return policy({ Effect: 'Allow', Principal: { Federated: provider }, Action: actions, ...(Object.keys(condition).length ? { Condition: condition } : {}) });
}

let roles = 0;
async function webRole(condition: object = {}, actions?: string[], account = root, provider = providerArn) {
  return createRole(server, account.token, `Web${++roles}`, webTrust(provider, condition, actions));
}

const exchange = (input: Omit<AssumeRoleWithWebIdentityInput, 'roleSessionName'> & { roleSessionName?: string }) =>
  server.gql(AssumeRoleWithWebIdentityDocument, { input: { roleSessionName: 'web-session', ...input } });
const codeOf = async (input: Parameters<typeof exchange>[0]) => (await exchange(input)).errors?.[0]?.extensions?.code;

describe('assumeRoleWithWebIdentity: the exchange', () => {
  it('exchanges a valid ID token for a role session, with no credentials, and answers AWS’s members', async () => {
    const role = await webRole({ StringEquals: { [`${providerKey}:aud`]: CLIENT, [`${providerKey}:sub`]: 'user-123' } });
    const token = await issuer.sign({ sub: 'user-123', aud: CLIENT });
    const result = await exchange({ roleArn: role.arn, webIdentityToken: token, roleSessionName: 'user-123' });
    expect(result.errors).toBeUndefined();
    const answer = result.data!.assumeRoleWithWebIdentity;
    expect(answer).toMatchObject({
      subjectFromWebIdentityToken: 'user-123',
      assumedRoleUser: { assumedRoleId: `${role.roleId}:user-123`, arn: `arn:aws:sts::${root.accountId}:assumed-role/${role.roleName}/user-123` },
      packedPolicySize: 0,
      provider: issuer.url,
      audience: CLIENT,
      sourceIdentity: null,
    });
    expect(answer.credentials.accessKeyId).toMatch(/^ASIA/);
    const me = await server.ok(GetCallerIdentityDocument, {}, answer.credentials.sessionToken);
    expect(me.getCallerIdentity).toEqual({ account: root.accountId, arn: answer.assumedRoleUser.arn, userId: `${role.roleId}:user-123` });
  });

  it('refuses a subject the trust policy does not name with AccessDenied', async () => {
    const role = await webRole({ StringEquals: { [`${providerKey}:sub`]: 'someone-else' } });
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: await issuer.sign({ sub: 'user-123', aud: CLIENT }) })).toBe('AccessDenied');
  });

  it('refuses a role whose trust policy names an account rather than the provider, and an unknown role alike', async () => {
    const byAccount = await createRole(server, root.token, 'TrustsAccount', policy({ Effect: 'Allow', Principal: { AWS: root.accountId }, Action: 'sts:AssumeRoleWithWebIdentity' }));
    const token = await issuer.sign({ sub: 'u', aud: CLIENT });
    expect(await codeOf({ roleArn: byAccount.arn, webIdentityToken: token })).toBe('AccessDenied');
    expect(await codeOf({ roleArn: `arn:aws:iam::${root.accountId}:role/Nope`, webIdentityToken: token })).toBe('AccessDenied');
  });

  it('takes azp as the audience when present, with aud as :oaud', async () => {
    const role = await webRole({ StringEquals: { [`${providerKey}:aud`]: CLIENT, [`${providerKey}:oaud`]: 'api.example.com' } });
    const token = await issuer.sign({ sub: 'u', aud: 'api.example.com', azp: CLIENT });
    const result = await exchange({ roleArn: role.arn, webIdentityToken: token });
    expect(result.data?.assumeRoleWithWebIdentity.audience).toBe(CLIENT);
  });

  it('accepts the same token again until it expires, as AWS does (no replay store)', async () => {
    const role = await webRole();
    const token = await issuer.sign({ sub: 'again', aud: CLIENT });
    const first = await exchange({ roleArn: role.arn, webIdentityToken: token });
    const second = await exchange({ roleArn: role.arn, webIdentityToken: token });
    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    expect(second.data!.assumeRoleWithWebIdentity.credentials.accessKeyId).not.toBe(first.data!.assumeRoleWithWebIdentity.credentials.accessKeyId);
  });

  it('fills aws:FederatedProvider, the session tags and AWS’s global keys of a role session in the web identity session', async () => {
    const role = await webRole({}, ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']);
    await server.ok(
      PutRolePolicyDocument,
      {
        input: {
          roleName: role.roleName,
          policyName: 'by-tag',
          policyDocument: JSON.stringify(
            policy({
              Effect: 'Allow',
              Action: 'iam:ListUsers',
              Resource: '*',
              Condition: {
                // AWS's table of global keys for a web identity session: an assumed role, aws:userid <role id>:<session>, no aws:username.
                StringEquals: { 'aws:PrincipalTag/team': 'blue', 'aws:FederatedProvider': providerArn, 'aws:PrincipalType': 'AssumedRole', 'aws:userid': `${role.roleId}:tagged` },
                Null: { 'aws:username': 'true' },
              },
            }),
          ),
        },
      },
      root.token,
    );
    const token = await issuer.sign({ sub: 'tagged', aud: CLIENT, 'https://aws.amazon.com/tags': { principal_tags: { team: ['blue'] }, transitive_tag_keys: ['team'] } });
    const session = (await exchange({ roleArn: role.arn, webIdentityToken: token, roleSessionName: 'tagged' })).data!.assumeRoleWithWebIdentity;
    expect(await ask(server, session.credentials.sessionToken, 'iam:ListUsers', '*')).toBe('allowed');
  });

  it('lets the next role’s trust policy require the provider through aws:FederatedProvider, which chained sessions do not carry', async () => {
    const assumeAnything = JSON.stringify(policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }));
    const first = await webRole();
    const middle = await createRole(server, root.token, 'MiddleFromWeb', policy({ Effect: 'Allow', Principal: { AWS: first.arn }, Action: 'sts:AssumeRole' }));
    for (const role of [first, middle]) {
      await server.ok(PutRolePolicyDocument, { input: { roleName: role.roleName, policyName: 'assume', policyDocument: assumeAnything } }, root.token);
    }
    const next = await createRole(
      server,
      root.token,
      'NextFromWeb',
      policy({ Effect: 'Allow', Principal: { AWS: [first.arn, middle.arn] }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:FederatedProvider': providerArn } } }),
    );
    const web = (await exchange({ roleArn: first.arn, webIdentityToken: await issuer.sign({ sub: 'chain', aud: CLIENT }) })).data!.assumeRoleWithWebIdentity;
    await server.ok(AssumeRoleDetailsDocument, { input: { roleArn: next.arn, roleSessionName: 'from-web' } }, web.credentials.sessionToken);
    // A session chained from the web identity session is no web identity session: the condition fails for it.
    const chained = await server.ok(AssumeRoleDetailsDocument, { input: { roleArn: middle.arn, roleSessionName: 'middle' } }, web.credentials.sessionToken);
    const refused = await server.gql(AssumeRoleDetailsDocument, { input: { roleArn: next.arn, roleSessionName: 'from-middle' } }, chained.assumeRole.credentials.sessionToken);
    expect(refused.errors?.[0]?.extensions?.code).toBe('AccessDenied');
  });

  it('needs sts:TagSession for session tags, and sts:SetSourceIdentity for a source identity', async () => {
    const role = await webRole();
    const tagged = await issuer.sign({ sub: 'u', aud: CLIENT, 'https://aws.amazon.com/tags': { principal_tags: { team: ['blue'] } } });
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: tagged })).toBe('AccessDenied');
    const withSource = await issuer.sign({ sub: 'u', aud: CLIENT, 'https://aws.amazon.com/source_identity': 'alice@example.com' });
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: withSource })).toBe('AccessDenied');
    const allowing = await webRole({}, ['sts:AssumeRoleWithWebIdentity', 'sts:SetSourceIdentity']);
    const result = await exchange({ roleArn: allowing.arn, webIdentityToken: withSource });
    expect(result.data?.assumeRoleWithWebIdentity.sourceIdentity).toBe('alice@example.com');
  });

  it('bounds durations by the role, and refuses session policies past the packed size', async () => {
    const role = await webRole();
    const token = await issuer.sign({ sub: 'u', aud: CLIENT });
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: token, durationSeconds: 7200 })).toBe('ValidationError');
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: token, durationSeconds: 600 })).toBe('ValidationError');
    // A session policy within its own limit, and ten policy ARNs: together past the packed limit.
    const big = JSON.stringify(policy(...Array.from({ length: 20 }, (_, i) => ({ Sid: `S${i}`, Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::bucket-${i}/*` }))));
    const policyArns = Array.from({ length: 10 }, () => ({ arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: token, policy: big, policyArns })).toBe('PackedPolicyTooLarge');
    const narrow = JSON.stringify(policy({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }));
    const ok = await exchange({ roleArn: role.arn, webIdentityToken: token, policy: narrow, durationSeconds: 900 });
    expect(ok.data?.assumeRoleWithWebIdentity.packedPolicySize).toBeGreaterThan(0);
  });

  it('narrows the session to its session policy and policy ARNs, which must exist', async () => {
    const role = await webRole();
    const both = policy({ Effect: 'Allow', Action: ['iam:ListUsers', 'iam:ListRoles'], Resource: '*' });
    await server.ok(PutRolePolicyDocument, { input: { roleName: role.roleName, policyName: 'both', policyDocument: JSON.stringify(both) } }, root.token);
    const token = await issuer.sign({ sub: 'narrow', aud: CLIENT });
    const onlyUsers = JSON.stringify(policy({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }));
    const narrowed = (await exchange({ roleArn: role.arn, webIdentityToken: token, policy: onlyUsers })).data!.assumeRoleWithWebIdentity;
    expect(await ask(server, narrowed.credentials.sessionToken, 'iam:ListUsers', '*')).toBe('allowed');
    expect(await ask(server, narrowed.credentials.sessionToken, 'iam:ListRoles', '*')).toBe('implicitDeny');
    const byArn = (await exchange({ roleArn: role.arn, webIdentityToken: token, policyArns: [{ arn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }] })).data!.assumeRoleWithWebIdentity;
    expect(await ask(server, byArn.credentials.sessionToken, 'iam:ListRoles', '*')).toBe('allowed');
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: token, policyArns: [{ arn: `arn:aws:iam::${root.accountId}:policy/NoSuchPolicy` }] })).toBe('ValidationError');
  });

  it('writes the exchange to the role account’s trail as a WebIdentityUser, without the token', async () => {
    const role = await webRole();
    const token = await issuer.sign({ sub: 'audited', aud: CLIENT });
    await exchange({ roleArn: role.arn, webIdentityToken: token, roleSessionName: 'audited' });
    const events = await server.ok(LookupEventsDocument, { input: { eventName: 'AssumeRoleWithWebIdentity' } }, root.token);
    const event = events.lookupEvents.nodes.find((e) => JSON.stringify(e.userIdentity).includes('audited'));
    expect(event).toBeDefined();
    expect(event!.eventSource).toBe('sts.amazonaws.com');
    expect(JSON.parse(String(event!.userIdentity))).toMatchObject({ type: 'WebIdentityUser', userName: 'audited', identityProvider: providerKey, principalId: `${providerKey}:${CLIENT}:audited` });
    expect(JSON.stringify(event)).not.toContain(token);
  });

  it('names the provider in the userIdentity of the session’s own calls (CloudTrail’s webIdFederationData)', async () => {
    const role = await webRole();
    const session = (await exchange({ roleArn: role.arn, webIdentityToken: await issuer.sign({ sub: 'caller', aud: CLIENT }), roleSessionName: 'caller' })).data!
      .assumeRoleWithWebIdentity;
    await server.ok(GetCallerIdentityDocument, {}, session.credentials.sessionToken);
    await server.service.deps.audit.flush();
    const events = await server.ok(LookupEventsDocument, { input: { eventName: 'GetCallerIdentity' } }, root.token);
    const event = events.lookupEvents.nodes.find((e) => String(e.userIdentity).includes(session.assumedRoleUser.arn));
    expect(JSON.parse(String(event!.userIdentity))).toMatchObject({
      type: 'AssumedRole',
      arn: session.assumedRoleUser.arn,
      sessionContext: { sessionIssuer: { arn: role.arn }, webIdFederationData: { federatedProvider: providerArn } },
    });
  });
});

describe('assumeRoleWithWebIdentity: refused tokens', () => {
  let role: { arn: string };
  beforeAll(async () => {
    role = await webRole();
  });

  it('refuses alg "none"', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(JSON.stringify({ iss: issuer.url, sub: 'u', aud: CLIENT, iat: now, exp: now + 600 })).toString('base64url');
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: `${header}.${payload}.` })).toBe('InvalidIdentityToken');
  });

  it('refuses HS256 signed with the provider’s public key as the secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const secret of [new TextEncoder().encode(JSON.stringify(issuer.current.publicJwk)), new TextEncoder().encode(issuer.current.publicJwk.n!)]) {
      const forged = await new SignJWT({ sub: 'u', aud: CLIENT })
        .setProtectedHeader({ alg: 'HS256', kid: issuer.current.kid })
        .setIssuer(issuer.url)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(secret);
      expect(await codeOf({ roleArn: role.arn, webIdentityToken: forged })).toBe('InvalidIdentityToken');
    }
  });

  it('refuses a key the provider never published, under a new kid or a published one', async () => {
    const stranger = await newIssuerKey();
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: await issuer.sign({ sub: 'u', aud: CLIENT }, { key: stranger }) })).toBe('InvalidIdentityToken');
    const impostor: IssuerKey = { ...stranger, kid: issuer.current.kid };
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: await issuer.sign({ sub: 'u', aud: CLIENT }, { key: impostor }) })).toBe('InvalidIdentityToken');
  });

  it('never follows jwk, jku or x5u headers', async () => {
    const attacker = await newIssuerKey();
    let fetched = 0;
    const evil = createServer((_req, res) => {
      fetched++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [attacker.publicJwk] }));
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/jwks`;
    try {
      for (const header of [{ jwk: attacker.publicJwk }, { jku: evilUrl }, { x5u: evilUrl }]) {
        const token = await issuer.sign({ sub: 'u', aud: CLIENT }, { key: attacker, header });
        expect(await codeOf({ roleArn: role.arn, webIdentityToken: token })).toBe('InvalidIdentityToken');
      }
      expect(fetched).toBe(0);
    } finally {
      await new Promise<void>((resolve) => evil.close(() => resolve()));
    }
  });

  it('refuses a wrong audience and an issuer that is not registered', async () => {
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: await issuer.sign({ sub: 'u', aud: 'another-app' }) })).toBe('InvalidIdentityToken');
    const other = await startJoseIssuer();
    try {
      expect(await codeOf({ roleArn: role.arn, webIdentityToken: await other.sign({ sub: 'u', aud: CLIENT }) })).toBe('InvalidIdentityToken');
    } finally {
      await other.close();
    }
  });

  it('refuses an iss that is not exactly the registered URL', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub: 'u', aud: CLIENT })
      .setProtectedHeader({ alg: 'RS256', kid: issuer.current.kid })
      .setIssuer(`${issuer.url}/`)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(issuer.current.privateKey);
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: token })).not.toBeUndefined();
  });

  it('refuses an expired token with ExpiredToken, and iat or nbf in the future with IDPRejectedClaim', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: await issuer.sign({ sub: 'u', aud: CLIENT }, { iat: now - 7200, exp: now - 3600 }) })).toBe('ExpiredToken');
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: await issuer.sign({ sub: 'u', aud: CLIENT }, { iat: now + 3600, exp: now + 7200 }) })).toBe('IDPRejectedClaim');
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: await issuer.sign({ sub: 'u', aud: CLIENT, nbf: now + 3600 }) })).toBe('IDPRejectedClaim');
    // Within the documented skew (IAM_CLOCK_SKEW_SECONDS, 30 s by default) a clock a little ahead is fine.
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: await issuer.sign({ sub: 'u', aud: CLIENT }, { iat: now + 10 }) })).toBeUndefined();
  });

  it('refuses a token without sub or exp, garbage, and a token past the size limit', async () => {
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: await issuer.sign({ aud: CLIENT }) })).toBe('InvalidIdentityToken');
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: 'not-a-jwt' })).toBe('InvalidIdentityToken');
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: await issuer.sign({ sub: 'u', aud: CLIENT, pad: 'x'.repeat(20_000) }) })).toBe('ValidationError');
  });

  it('does not let a provider of another account with the same URL stand in for the role account’s', async () => {
    const other = await server.newAccount('Other');
    const otherArn = (await server.ok(CreateOpenIDConnectProviderDocument, { input: { url: issuer.url, clientIDList: [CLIENT] } }, other.token)).createOpenIDConnectProvider
      .openIDConnectProviderArn;
    const lone = await server.newAccount('NoProvider');
    // A role in an account without the provider, trusting the other account's provider: no provider of its own account.
    const foreignTrust = await createRole(server, lone.token, 'TrustsForeign', webTrust(otherArn));
    const token = await issuer.sign({ sub: 'u', aud: CLIENT });
    expect(await codeOf({ roleArn: foreignTrust.arn, webIdentityToken: token })).toBe('InvalidIdentityToken');
    // A role in an account with the provider, trusting the other account's provider of the same URL: not its provider.
    const crossTrust = await createRole(server, root.token, 'TrustsOther', webTrust(otherArn));
    expect(await codeOf({ roleArn: crossTrust.arn, webIdentityToken: token })).toBe('AccessDenied');
  });

  it('refuses RS256 from an EC key’s kid: only the algorithm the key declares', async () => {
    const ec = await newIssuerKey('ES256');
    issuer.published.push(ec);
    const rsaUnderEcKid: IssuerKey = { ...issuer.current, kid: ec.kid };
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: await issuer.sign({ sub: 'u', aud: CLIENT }, { key: rsaUnderEcKid }) })).toBe('InvalidIdentityToken');
  });
});

describe('assumeRoleWithWebIdentity: the provider’s keys', () => {
  it('follows a key rotation: an unknown kid refetches the JWKS, at most once per cooldown', async () => {
    const rotating = await startJoseIssuer();
    try {
      const account = await server.newAccount('Rotating');
      const provider = (await server.ok(CreateOpenIDConnectProviderDocument, { input: { url: rotating.url, clientIDList: [CLIENT] } }, account.token))
        .createOpenIDConnectProvider.openIDConnectProviderArn;
      const role = await webRole({}, undefined, account, provider);
      expect((await exchange({ roleArn: role.arn, webIdentityToken: await rotating.sign({ sub: 'u', aud: CLIENT }) })).errors).toBeUndefined();
      expect(rotating.hits.get('/jwks')).toBe(1);
      const strangers = await Promise.all([1, 2, 3].map(() => newIssuerKey('ES256')));
      const forged = await Promise.all(strangers.map((key) => rotating.sign({ sub: 'u', aud: CLIENT }, { key })));
      await rotating.rotate();
      // jose fetches a JWKS again no sooner than the cooldown after the last fetch.
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const rotated = await exchange({ roleArn: role.arn, webIdentityToken: await rotating.sign({ sub: 'u', aud: CLIENT }) });
      expect(rotated.errors).toBeUndefined();
      expect(rotating.hits.get('/jwks')).toBe(2);
      // Unknown kids in a burst cost no more fetches until the cooldown passes (at most one more, should
      // the burst outlast the cooldown on a loaded machine).
      const codes = await Promise.all(forged.map((webIdentityToken) => codeOf({ roleArn: role.arn, webIdentityToken })));
      expect(codes).toEqual(['InvalidIdentityToken', 'InvalidIdentityToken', 'InvalidIdentityToken']);
      expect(rotating.hits.get('/jwks')).toBeLessThanOrEqual(3);
      expect(rotating.hits.get('/.well-known/openid-configuration')).toBe(1);
    } finally {
      await rotating.close();
    }
  });

  it('answers IDPCommunicationError within seconds when the provider hangs, fails or is gone, and remembers the failure briefly', async () => {
    const down = await startJoseIssuer();
    const account = await server.newAccount('Down');
    const provider = (await server.ok(CreateOpenIDConnectProviderDocument, { input: { url: down.url, clientIDList: [CLIENT] } }, account.token)).createOpenIDConnectProvider
      .openIDConnectProviderArn;
    const role = await webRole({}, undefined, account, provider);
    const token = await down.sign({ sub: 'u', aud: CLIENT });
    down.mode = 'hang';
    const started = Date.now();
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: token })).toBe('IDPCommunicationError');
    // IAM_OIDC_TIMEOUT_MS is 1 s here; the bound leaves room for a loaded machine, and is far from a hang.
    expect(Date.now() - started).toBeLessThan(5000);
    // Remembered: the next call answers without asking the provider again.
    expect(await codeOf({ roleArn: role.arn, webIdentityToken: token })).toBe('IDPCommunicationError');
    expect(down.hits.get('/.well-known/openid-configuration')).toBe(1);
    await down.close();

    const failing = await startJoseIssuer();
    failing.mode = 'error';
    const account2 = await server.newAccount('Failing');
    const provider2 = (await server.ok(CreateOpenIDConnectProviderDocument, { input: { url: failing.url, clientIDList: [CLIENT] } }, account2.token)).createOpenIDConnectProvider
      .openIDConnectProviderArn;
    const role2 = await webRole({}, undefined, account2, provider2);
    expect(await codeOf({ roleArn: role2.arn, webIdentityToken: await failing.sign({ sub: 'u', aud: CLIENT }) })).toBe('IDPCommunicationError');
    await failing.close();
  });
});

describe('plain-http issuers', () => {
  it('are accepted only on loopback, only with IAM_OIDC_ALLOW_HTTP_LOOPBACK (on in this file)', async () => {
    expect(await server.errorCode(CreateOpenIDConnectProviderDocument, { input: { url: 'http://idp.example.com' } }, root.token)).toBe('InvalidInput');
  });
});
