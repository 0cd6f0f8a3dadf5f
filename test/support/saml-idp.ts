// A SAML 2.0 identity provider for tests: an RSA key and a self-signed certificate
// (@peculiar/x509 over WebCrypto; it needs the reflect-metadata polyfill), its metadata document, and responses whose Assertion (or
// whole Response) is signed with xml-crypto, the XML-signature library node-saml verifies with.
// Options build the attacks: unsigned, tampered, wrapped, wrong audience, outside the window.
import 'reflect-metadata';
import { randomUUID, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { SignedXml } from 'xml-crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

export const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';
export const ROLE_SESSION_NAME_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName';

export interface AssertionOptions {
  /** The AudienceRestriction's Audience (and, unless `recipient` says otherwise, the Recipient). */
  audience: string;
  recipient?: string;
  /** Role attribute values: [role ARN, provider ARN] pairs. */
  roles: Array<[string, string]>;
  /** The RoleSessionName attribute; null leaves it out. */
  roleSessionName?: string | null;
  subject?: string;
  nameIdFormat?: string;
  /** The assertion's window (default: a minute ago to five minutes on). */
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** More attributes: name → values. */
  attributes?: Record<string, string[]>;
  /** What is signed (default: the assertion). */
  sign?: 'assertion' | 'response' | 'none';
  /** The assertion's ID (default: a new one). */
  id?: string;
  issuer?: string;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An identity provider with its own key pair and entityID. */
export class TestSamlIdp {
  private constructor(
    readonly entityId: string,
    private readonly privateKeyPem: string,
    readonly certificatePem: string,
    private readonly certificateBase64: string,
  ) {}

  static async create(entityId = 'https://idp.example.test/metadata'): Promise<TestSamlIdp> {
    const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomUUID().replace(/-/g, '').slice(0, 16),
      name: 'CN=Test SAML IdP',
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + 365 * 86_400_000),
      signingAlgorithm: RSA,
      keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams['keys'],
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
    const privateKeyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
    return new TestSamlIdp(entityId, privateKeyPem, certificate.toString('pem'), certificate.toString('base64'));
  }

  /** The IdP's SAML 2.0 metadata: an EntityDescriptor whose IDPSSODescriptor names its signing certificate. */
  metadata(): string {
    return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${escape(this.entityId)}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${this.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
  }

  /** An Assertion element, unsigned. */
  assertionXml(options: AssertionOptions): string {
    const now = Date.now();
    const notBefore = (options.notBefore ?? new Date(now - 60_000)).toISOString();
    const notOnOrAfter = (options.notOnOrAfter ?? new Date(now + 300_000)).toISOString();
    const id = options.id ?? `_${randomUUID()}`;
    const attributes: Record<string, string[]> = {
      [ROLE_ATTRIBUTE]: options.roles.map(([role, provider]) => `${role},${provider}`),
      ...(options.roleSessionName === null ? {} : { [ROLE_SESSION_NAME_ATTRIBUTE]: [options.roleSessionName ?? 'alice@example.test'] }),
      ...options.attributes,
    };
    const attributeXml = Object.entries(attributes)
      .map(([name, values]) => `<saml:Attribute Name="${escape(name)}">${values.map((v) => `<saml:AttributeValue>${escape(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`)
      .join('');
    return (
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${new Date(now).toISOString()}">` +
      `<saml:Issuer>${escape(options.issuer ?? this.entityId)}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="${options.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'}">${escape(options.subject ?? 'alice-42')}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter}" Recipient="${escape(options.recipient ?? options.audience)}"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${escape(options.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${new Date(now).toISOString()}" SessionIndex="${id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      `<saml:AttributeStatement>${attributeXml}</saml:AttributeStatement>` +
      `</saml:Assertion>`
    );
  }

  /** Signs the element `localName` (with an ID) of `xml`: the signature goes after its Issuer, as SAML core places it. */
  sign(xml: string, localName: 'Assertion' | 'Response'): string {
    const signer = new SignedXml({
      privateKey: this.privateKeyPem,
      publicCert: this.certificatePem,
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    });
    const element = `/*[local-name(.)='Response']${localName === 'Assertion' ? "/*[local-name(.)='Assertion']" : ''}`;
    signer.addReference({
      xpath: element,
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    });
    signer.computeSignature(xml, { location: { reference: `${element}/*[local-name(.)='Issuer']`, action: 'after' } });
    return signer.getSignedXml();
  }

  /** A Response around `assertion`, unsigned. */
  responseXml(assertion: string, audience: string): string {
    return (
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomUUID()}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${escape(audience)}">` +
      `<saml:Issuer>${escape(this.entityId)}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      assertion +
      `</samlp:Response>`
    );
  }

  /** A SAML response as AssumeRoleWithSAML takes it (base64), signed as `options.sign` says. */
  response(options: AssertionOptions): string {
    return Buffer.from(this.responseText(options)).toString('base64');
  }

  /** The response's XML text, signed as `options.sign` says. */
  responseText(options: AssertionOptions): string {
    const xml = this.responseXml(this.assertionXml(options), options.audience);
    const sign = options.sign ?? 'assertion';
    return sign === 'none' ? xml : this.sign(xml, sign === 'assertion' ? 'Assertion' : 'Response');
  }
}

/** base64 of an XML text. */
export const base64 = (xml: string): string => Buffer.from(xml).toString('base64');
