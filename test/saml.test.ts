// SAML federation end to end: providers made from an IdP's metadata, and AssumeRoleWithSAML
// with responses a real XML-signature library signs (test/support/saml-idp.ts). The attacks:
// unsigned, signed by a key the provider does not list, tampered, signature wrapping, wrong
// audience or recipient, expired, not yet valid, replayed, a provider of another account,
// and a role/provider pair that names another account's role.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AssumeRoleWithSAMLDocument,
  CreateSAMLProviderDocument,
  DeleteSAMLProviderDocument,
  GetCallerIdentityDocument,
  GetSAMLProviderDocument,
  ListSAMLProviderTagsDocument,
  ListSAMLProvidersDocument,
  LookupEventIdentitiesDocument,
  TagSAMLProviderDocument,
  UntagSAMLProviderDocument,
  UpdateSAMLProviderDocument,
  type AssumeRoleWithSAMLInput,
} from './generated/graphql.js';
import { base64, type AssertionOptions, TestSamlIdp } from './support/saml-idp.js';
import { createRole, policy } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const ISSUER = 'https://iam.test.example';
const AUDIENCE = `${ISSUER}/saml`;
const server = useTestServer({ IAM_ISSUER: ISSUER });

let root: { accountId: string; token: string };
let other: { accountId: string; token: string };
let idp: TestSamlIdp;
let providerArn: string;
let roleArn: string;

/** A trust policy letting `provider` call sts:AssumeRoleWithSAML, with `condition` if given. */
const samlTrust = (provider: string, condition?: object) =>
  policy({ Effect: 'Allow', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithSAML', ...(condition ? { Condition: condition } : {}) });

const createProvider = async (token: string, name: string, metadata: string, tags: Array<{ key: string; value: string }> = []) =>
  (await server.ok(CreateSAMLProviderDocument, { input: { name, samlMetadataDocument: metadata, tags } }, token)).createSAMLProvider.samlProviderArn;

const assume = (input: AssumeRoleWithSAMLInput) => server.gql(AssumeRoleWithSAMLDocument, { input });
const codeOf = async (input: AssumeRoleWithSAMLInput) => (await assume(input)).errors?.[0]?.extensions?.code;
/** The refusal as `<code>: <message>`. */
const refusal = async (input: AssumeRoleWithSAMLInput) => {
  const error = (await assume(input)).errors?.[0];
  return `${String(error?.extensions?.code)}: ${error?.message}`;
};
const UNVERIFIED = /^InvalidIdentityToken: The SAML response could not be verified with the provider's certificates/;
/** A response from `idp` pairing the default role with the default provider, with `options` over the defaults. */
const response = (options: Partial<AssertionOptions> = {}, from: TestSamlIdp = idp) => from.response({ audience: AUDIENCE, roles: [[roleArn, providerArn]], ...options });

beforeAll(async () => {
  root = await server.newAccount('Saml');
  other = await server.newAccount('Other');
  idp = await TestSamlIdp.create();
  providerArn = await createProvider(root.token, 'Corp', idp.metadata());
  roleArn = (await createRole(server, root.token, 'SamlRole', samlTrust(providerArn, { StringEquals: { 'SAML:aud': AUDIENCE } }))).arn;
});

describe('SAML providers', () => {
  it('are made from metadata, read, listed, tagged, updated and deleted', async () => {
    const extra = await TestSamlIdp.create('https://other-idp.example.test/');
    const arn = await createProvider(root.token, 'Extra.IdP_1', extra.metadata(), [{ key: 'team', value: 'blue' }]);
    expect(arn).toBe(`arn:aws:iam::${root.accountId}:saml-provider/Extra.IdP_1`);
    const got = (await server.ok(GetSAMLProviderDocument, { input: { samlProviderArn: arn } }, root.token)).getSAMLProvider;
    expect(got.samlMetadataDocument).toBe(extra.metadata());
    expect(got.tags).toEqual([{ key: 'team', value: 'blue' }]);
    const listed = (await server.ok(ListSAMLProvidersDocument, {}, root.token)).listSAMLProviders.samlProviderList.map((p) => p.arn);
    expect(listed).toEqual([providerArn, arn].sort());
    await server.ok(TagSAMLProviderDocument, { input: { samlProviderArn: arn, tags: [{ key: 'env', value: 'prod' }] } }, root.token);
    await server.ok(UntagSAMLProviderDocument, { input: { samlProviderArn: arn, tagKeys: ['team'] } }, root.token);
    expect((await server.ok(ListSAMLProviderTagsDocument, { input: { samlProviderArn: arn } }, root.token)).listSAMLProviderTags.nodes).toEqual([{ key: 'env', value: 'prod' }]);
    await server.ok(UpdateSAMLProviderDocument, { input: { samlProviderArn: arn, samlMetadataDocument: idp.metadata() } }, root.token);
    expect((await server.ok(GetSAMLProviderDocument, { input: { samlProviderArn: arn } }, root.token)).getSAMLProvider.samlMetadataDocument).toBe(idp.metadata());
    await server.ok(DeleteSAMLProviderDocument, { input: { samlProviderArn: arn } }, root.token);
    expect(await server.errorCode(GetSAMLProviderDocument, { input: { samlProviderArn: arn } }, root.token)).toBe('NoSuchEntity');
  });

  it('refuse a duplicate name, bad metadata, and another account', async () => {
    expect(await server.errorCode(CreateSAMLProviderDocument, { input: { name: 'Corp', samlMetadataDocument: idp.metadata() } }, root.token)).toBe('EntityAlreadyExists');
    const notMetadata = `<root>${'x'.repeat(1000)}</root>`;
    expect(await server.errorCode(CreateSAMLProviderDocument, { input: { name: 'Bad', samlMetadataDocument: notMetadata } }, root.token)).toBe('InvalidInput');
    const unclosed = idp.metadata().replace('</md:EntityDescriptor>', '');
    expect(await server.errorCode(CreateSAMLProviderDocument, { input: { name: 'Bad', samlMetadataDocument: unclosed } }, root.token)).toBe('InvalidInput');
    expect(await server.errorCode(CreateSAMLProviderDocument, { input: { name: 'bad name', samlMetadataDocument: idp.metadata() } }, root.token)).toBe('ValidationError');
    expect(await server.errorCode(GetSAMLProviderDocument, { input: { samlProviderArn: providerArn } }, other.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteSAMLProviderDocument, { input: { samlProviderArn: providerArn } }, other.token)).toBe('NoSuchEntity');
  });
});

describe('assumeRoleWithSAML', () => {
  it('exchanges a signed assertion for a role session that knows who it is', async () => {
    const result = await assume({ roleArn, principalArn: providerArn, samlAssertion: response({ roleSessionName: 'alice@example.test', subject: 'alice-42' }) });
    expect(result.errors).toBeUndefined();
    const session = result.data!.assumeRoleWithSAML;
    expect(session.assumedRoleUser.arn).toBe(`arn:aws:sts::${root.accountId}:assumed-role/SamlRole/alice@example.test`);
    expect(session).toMatchObject({ subject: 'alice-42', subjectType: 'persistent', issuer: idp.entityId, audience: AUDIENCE });
    const { createHash } = await import('node:crypto');
    expect(session.nameQualifier).toBe(createHash('sha1').update(`${idp.entityId}${root.accountId}/Corp`).digest('base64'));
    const me = await server.ok(GetCallerIdentityDocument, {}, session.credentials.sessionToken);
    expect(me.getCallerIdentity.arn).toBe(session.assumedRoleUser.arn);
    // The audit trail names the SAML user in the role's account.
    const events = (await server.ok(LookupEventIdentitiesDocument, { input: { eventName: 'AssumeRoleWithSAML' } }, root.token)).lookupEvents.nodes;
    expect(events.map((e) => JSON.parse(e.userIdentity) as { type: string; userName?: string })).toContainEqual(expect.objectContaining({ type: 'SAMLUser', userName: 'alice-42' }));
  });

  it('accepts a signed Response around an unsigned assertion', async () => {
    const result = await assume({ roleArn, principalArn: providerArn, samlAssertion: response({ sign: 'response' }) });
    expect(result.errors).toBeUndefined();
  });

  it('refuses an assertion replayed within its validity', async () => {
    const samlAssertion = response();
    expect((await assume({ roleArn, principalArn: providerArn, samlAssertion })).errors).toBeUndefined();
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion })).toMatch(/^InvalidIdentityToken: The SAML assertion has already been used/);
  });

  it('lets one of two concurrent uses of an assertion succeed', async () => {
    const samlAssertion = response();
    const answers = await Promise.all([1, 2, 3].map(() => assume({ roleArn, principalArn: providerArn, samlAssertion })));
    expect(answers.filter((a) => !a.errors).length).toBe(1);
    expect(answers.flatMap((a) => a.errors ?? []).map((e) => e.extensions?.code)).toEqual(['InvalidIdentityToken', 'InvalidIdentityToken']);
  });

  it('refuses an unsigned response, and one signed by a key the provider does not list', async () => {
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion: response({ sign: 'none' }) })).toMatch(UNVERIFIED);
    const impostor = await TestSamlIdp.create(idp.entityId);
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion: response({}, impostor) })).toMatch(UNVERIFIED);
  });

  it('refuses a signed assertion whose content was changed', async () => {
    const signed = idp.responseText({ audience: AUDIENCE, roles: [[roleArn, providerArn]], subject: 'alice-42' });
    const tampered = signed.replace('>alice-42<', '>mallory<');
    expect(tampered).not.toBe(signed);
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion: base64(tampered) })).toMatch(UNVERIFIED);
  });

  it('is immune to signature wrapping: a signed assertion plus an injected unsigned one', async () => {
    const signed = idp.responseText({ audience: AUDIENCE, roles: [[roleArn, providerArn]], subject: 'alice-42', roleSessionName: 'alice' });
    const evil = idp.assertionXml({ audience: AUDIENCE, roles: [[roleArn, providerArn]], subject: 'mallory', roleSessionName: 'mallory' });
    // The injected assertion beside the signed one, before it and after it.
    const before = signed.replace('<saml:Assertion ', `${evil}<saml:Assertion `);
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion: base64(before) })).toMatch(UNVERIFIED);
    const after = signed.replace('</samlp:Response>', `${evil}</samlp:Response>`);
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion: base64(after) })).toMatch(UNVERIFIED);
    // The signed assertion moved into Extensions, the injected one where the reader looks (XSW with the same ID).
    const signedAssertion = signed.slice(signed.indexOf('<saml:Assertion '), signed.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length);
    const id = /ID="([^"]+)"/.exec(signedAssertion)![1]!;
    const sameId = evil.replace(/ID="[^"]+"/, `ID="${id}"`);
    const wrapped = signed.replace(signedAssertion, `<samlp:Extensions>${signedAssertion}</samlp:Extensions>${sameId}`);
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion: base64(wrapped) })).toMatch(UNVERIFIED);
  });

  it('refuses a wrong audience or recipient', async () => {
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion: response({ audience: 'https://signin.aws.amazon.com/saml' }) })).toMatch(/^InvalidIdentityToken: The SAML assertion's audience is not this server/);
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion: response({ recipient: 'https://elsewhere.example/saml' }) })).toMatch(/^InvalidIdentityToken: The SAML assertion's Recipient is not this server/);
  });

  it('refuses an expired assertion and one not yet valid, beyond the clock skew', async () => {
    const now = Date.now();
    const expired = response({ notBefore: new Date(now - 600_000), notOnOrAfter: new Date(now - 120_000) });
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion: expired })).toMatch(/^ExpiredToken: The SAML assertion has expired/);
    const early = response({ notBefore: new Date(now + 120_000), notOnOrAfter: new Date(now + 600_000) });
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion: early })).toMatch(/^InvalidIdentityToken: The SAML assertion is not yet valid/);
    // Within the 30-second skew: accepted.
    const justStarted = response({ notBefore: new Date(now + 10_000), notOnOrAfter: new Date(now + 600_000) });
    expect((await assume({ roleArn, principalArn: providerArn, samlAssertion: justStarted })).errors).toBeUndefined();
  });

  it("refuses a provider of another account, and a pair naming another account's role", async () => {
    // The other account registers the same IdP and a role trusting its own provider.
    const theirProvider = await createProvider(other.token, 'Corp', idp.metadata());
    const theirRole = (await createRole(server, other.token, 'TheirRole', samlTrust(theirProvider))).arn;
    // Our role with their provider: the provider is not of the role's account.
    expect(await codeOf({ roleArn, principalArn: theirProvider, samlAssertion: response({ roles: [[roleArn, theirProvider]] }) })).toBe('AccessDenied');
    // Their role with our provider: likewise.
    expect(await codeOf({ roleArn: theirRole, principalArn: providerArn, samlAssertion: response({ roles: [[theirRole, providerArn]] }) })).toBe('AccessDenied');
    // An assertion pairing our role with our provider, presented for their role.
    expect(await codeOf({ roleArn: theirRole, principalArn: theirProvider, samlAssertion: response({ roles: [[roleArn, providerArn]] }) })).toBe('AccessDenied');
    // Their own pair works for them.
    expect((await assume({ roleArn: theirRole, principalArn: theirProvider, samlAssertion: response({ roles: [[theirRole, theirProvider]] }) })).errors).toBeUndefined();
  });

  it("needs the Role attribute to pair the role with the provider, and the role's trust policy", async () => {
    const untrusting = (await createRole(server, root.token, 'NoSaml', samlTrust(`arn:aws:iam::${root.accountId}:saml-provider/Elsewhere`))).arn;
    expect(await codeOf({ roleArn: untrusting, principalArn: providerArn, samlAssertion: response({ roles: [[untrusting, providerArn]] }) })).toBe('AccessDenied');
    const unlisted = (await createRole(server, root.token, 'Unlisted', samlTrust(providerArn))).arn;
    expect(await codeOf({ roleArn: unlisted, principalArn: providerArn, samlAssertion: response() })).toBe('AccessDenied');
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion: response({ roleSessionName: null }) })).toMatch(/^InvalidIdentityToken: The SAML assertion must carry one .*RoleSessionName/);
    expect(await refusal({ roleArn, principalArn: providerArn, samlAssertion: response({ issuer: 'https://someone-else.example/' }) })).toMatch(/^InvalidIdentityToken: The SAML assertion's Issuer is not the provider's entityID/);
  });

  it('lets trust policies read the saml: keys, and takes tags and the session duration from attributes', async () => {
    const conditioned = (
      await createRole(
        server,
        root.token,
        'Staff',
        policy({
          Effect: 'Allow',
          Principal: { Federated: providerArn },
          Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
          Condition: { StringEquals: { 'saml:sub_type': 'persistent', 'saml:iss': idp.entityId, 'saml:edupersonaffiliation': 'staff', 'saml:doc': `${root.accountId}/Corp` } },
        }),
        { maxSessionDuration: 7200 },
      )
    ).arn;
    const staff = { 'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': ['member', 'staff'], 'https://aws.amazon.com/SAML/Attributes/SessionDuration': ['5400'], 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:team': ['red'] };
    const result = await assume({ roleArn: conditioned, principalArn: providerArn, samlAssertion: response({ roles: [[conditioned, providerArn]], attributes: staff }) });
    expect(result.errors).toBeUndefined();
    const lifetime = new Date(result.data!.assumeRoleWithSAML.credentials.expiration).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(5300_000);
    expect(lifetime).toBeLessThanOrEqual(5400_000);
    const student = { 'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': ['student'] };
    expect(await codeOf({ roleArn: conditioned, principalArn: providerArn, samlAssertion: response({ roles: [[conditioned, providerArn]], attributes: student }) })).toBe('AccessDenied');
    expect(await codeOf({ roleArn: conditioned, principalArn: providerArn, samlAssertion: response({ roles: [[conditioned, providerArn]], nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient', attributes: staff }) })).toBe('AccessDenied');
  });

  it('stops accepting assertions once the provider is deleted', async () => {
    const extra = await TestSamlIdp.create('https://gone.example.test/');
    const arn = await createProvider(root.token, 'Gone', extra.metadata());
    const role = (await createRole(server, root.token, 'GoneRole', samlTrust(arn))).arn;
    await server.ok(DeleteSAMLProviderDocument, { input: { samlProviderArn: arn } }, root.token);
    expect(await codeOf({ roleArn: role, principalArn: arn, samlAssertion: extra.response({ audience: AUDIENCE, roles: [[role, arn]] }) })).toBe('InvalidIdentityToken');
  });
});
