// A SAML response, verified against a provider: the XML signature (of the Response or of its
// one Assertion) by @node-saml/node-saml with the provider's certificates only, and then, on the
// verified assertion alone, the Issuer, the audience, the subject confirmation and the time window
// (NotBefore / NotOnOrAfter, with the server's clock skew, on the injected clock). Signature
// wrapping cannot bring in an unverified element: node-saml refuses a response with more than one
// assertion, and hands back the serialisation of the element whose signature it verified, which
// is the only XML read here.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
// https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (4.1.4.3, 4.1.4.2)
import type * as NodeSaml from '@node-saml/node-saml';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { ExpiredTokenError, InvalidIdentityTokenError } from '../errors.js';

/**
 * node-saml, with what it brings (xml-crypto, xpath, xml2js: about 4 MiB of heap), loaded by
 * the first SAML response verified, not at start: most servers never see one (issue 21, idle memory).
 */
let nodeSaml: Promise<typeof NodeSaml> | undefined;

const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** The provider a response is checked against. */
export interface SamlTrustAnchor {
  /** The IdP's entityID from its metadata. */
  issuer: string;
  /** Its signing certificates, PEM. */
  certificates: string[];
}

export interface SamlCheck {
  /** The audiences (this server's SAML endpoint) an assertion must be restricted to, one of. */
  audiences: readonly string[];
  now: Date;
  clockSkewSeconds: number;
}

/** What the verified assertion says. */
export interface SamlIdentity {
  issuer: string;
  assertionId: string;
  /** NameID's value, and its Format (`urn:...:nameid-format:persistent`, ...) if stated. */
  subject: string;
  nameIdFormat: string | undefined;
  /** The bearer confirmation's Recipient, else the audience that matched. */
  recipient: string;
  /** When the assertion stops being valid (the earliest NotOnOrAfter it states). */
  notOnOrAfter: Date;
  /** AuthnStatement's SessionNotOnOrAfter, if stated: no session may outlive it. */
  sessionNotOnOrAfter: Date | undefined;
  /** Attribute name → values, in document order. */
  attributes: ReadonlyMap<string, string[]>;
}

const invalid = (message: string, cause?: unknown) => new InvalidIdentityTokenError(message, cause === undefined ? undefined : { cause });

/** Verifies a base64 SAML response; InvalidIdentityToken or ExpiredToken (the assertion's window has passed) otherwise. */
export async function verifySamlResponse(samlResponse: string, anchor: SamlTrustAnchor, check: SamlCheck): Promise<SamlIdentity> {
  const [audience] = check.audiences;
  const { SAML, ValidateInResponseTo } = await (nodeSaml ??= import('@node-saml/node-saml'));
  const saml = new SAML({
    idpCert: anchor.certificates,
    // Required by node-saml for requests it would make; this server only receives responses.
    issuer: audience!,
    callbackUrl: audience!,
    // Either the Response or its Assertion must be signed (node-saml insists on one of the two).
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    // Time and audience are checked below, on the injected clock, with the server's skew.
    acceptedClockSkewMs: -1,
    audience: false,
    validateInResponseTo: ValidateInResponseTo.never,
  });
  let verifiedXml: string;
  try {
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse });
    if (!profile?.getAssertionXml) throw new Error('the response holds no assertion');
    verifiedXml = profile.getAssertionXml();
  } catch (error) {
    throw invalid(`The SAML response could not be verified with the provider's certificates: ${(error as Error).message}.`, error);
  }
  return readAssertion(verifiedXml, anchor, check);
}

/** The element children of `parent` in the assertion namespace named `localName`. */
function children(parent: Element, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    const element = node as Element;
    if (node.nodeType === 1 && element.namespaceURI === ASSERTION && element.localName === localName) found.push(element);
  }
  return found;
}

function one(parent: Element, localName: string): Element | undefined {
  const found = children(parent, localName);
  if (found.length > 1) throw invalid(`The assertion has more than one ${localName}.`);
  return found[0];
}

function instant(element: Element, attribute: string): Date | undefined {
  const text = element.getAttribute(attribute);
  if (!text) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw invalid(`${element.localName}'s ${attribute} is not a dateTime.`);
  return date;
}

/** Refuses a window that has not opened or has closed at `now` (give or take the skew). */
function checkWindow(element: Element, check: SamlCheck): Date | undefined {
  const skew = check.clockSkewSeconds * 1000;
  const now = check.now.getTime();
  const notBefore = instant(element, 'NotBefore');
  const notOnOrAfter = instant(element, 'NotOnOrAfter');
  if (notBefore && now + skew < notBefore.getTime()) throw invalid(`The SAML assertion is not yet valid (${element.localName} NotBefore ${notBefore.toISOString()}).`);
  if (notOnOrAfter && now - skew >= notOnOrAfter.getTime()) throw new ExpiredTokenError(`The SAML assertion has expired (${element.localName} NotOnOrAfter ${notOnOrAfter.toISOString()}).`);
  return notOnOrAfter;
}

function readAssertion(xml: string, anchor: SamlTrustAnchor, check: SamlCheck): SamlIdentity {
  const assertion = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
  if (!assertion || assertion.namespaceURI !== ASSERTION || assertion.localName !== 'Assertion') throw invalid('The verified element is not a SAML Assertion.');
  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) throw invalid('The SAML assertion has no ID.');

  const issuer = one(assertion, 'Issuer')?.textContent?.trim();
  if (issuer !== anchor.issuer) throw invalid(`The SAML assertion's Issuer is not the provider's entityID (${anchor.issuer}).`);

  const conditions = one(assertion, 'Conditions');
  if (!conditions) throw invalid('The SAML assertion has no Conditions: an AudienceRestriction is required.');
  const expiries = [checkWindow(conditions, check)];
  const restrictions = children(conditions, 'AudienceRestriction');
  if (restrictions.length === 0) throw invalid('The SAML assertion has no AudienceRestriction.');
  // Each AudienceRestriction must name this server (SAML core 2.5.1.4: every restriction applies).
  let matched: string | undefined;
  for (const restriction of restrictions) {
    const named = children(restriction, 'Audience').map((a) => a.textContent?.trim() ?? '');
    matched = named.find((a) => check.audiences.includes(a));
    if (!matched) throw invalid(`The SAML assertion's audience is not this server (${check.audiences.join(' or ')}).`);
  }

  const subject = one(assertion, 'Subject');
  const nameId = subject && one(subject, 'NameID');
  const subjectValue = nameId?.textContent?.trim();
  if (!subject || !nameId || !subjectValue) throw invalid('The SAML assertion has no Subject NameID.');
  // Web Browser SSO profile: a bearer confirmation whose data names the recipient and ends the window.
  const bearer = children(subject, 'SubjectConfirmation').filter((c) => c.getAttribute('Method') === BEARER);
  if (bearer.length === 0) throw invalid('The SAML assertion has no bearer SubjectConfirmation.');
  let recipient: string | undefined;
  for (const confirmation of bearer) {
    const data = one(confirmation, 'SubjectConfirmationData');
    if (!data) continue;
    expiries.push(checkWindow(data, check));
    const named = data.getAttribute('Recipient');
    if (named) {
      if (!check.audiences.includes(named)) throw invalid(`The SAML assertion's Recipient is not this server (${check.audiences.join(' or ')}).`);
      recipient = named;
    }
  }
  const stated = expiries.filter((d): d is Date => d !== undefined);
  // INVARIANT: an accepted assertion has an end, so that its replay record can be dropped after it.
  if (stated.length === 0) throw invalid('The SAML assertion states no NotOnOrAfter (Conditions or SubjectConfirmationData).');
  const notOnOrAfter = new Date(Math.min(...stated.map((d) => d.getTime())));

  const authn = children(assertion, 'AuthnStatement')[0];
  const attributes = new Map<string, string[]>();
  for (const statement of children(assertion, 'AttributeStatement')) {
    for (const attribute of children(statement, 'Attribute')) {
      const name = attribute.getAttribute('Name');
      if (!name) continue;
      const values = children(attribute, 'AttributeValue').map((v) => v.textContent?.trim() ?? '');
      attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
    }
  }
  return {
    issuer,
    assertionId,
    subject: subjectValue,
    nameIdFormat: nameId.getAttribute('Format') || undefined,
    recipient: recipient ?? matched!,
    notOnOrAfter,
    sessionNotOnOrAfter: authn ? instant(authn, 'SessionNotOnOrAfter') : undefined,
    attributes,
  };
}
