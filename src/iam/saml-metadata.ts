// A SAML identity provider's metadata document (SAML 2.0 Metadata, OASIS saml-metadata-2.0-os):
// what AssumeRoleWithSAML needs of it is the IdP's entityID (the Issuer of its assertions), its
// signing certificates and the document's validUntil. Parsed with @xmldom/xmldom; nothing in it
// is trusted beyond those facts, which the account's administrator vouched for by uploading it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html
import { DOMParser, type Element } from '@xmldom/xmldom';
import { X509Certificate } from 'node:crypto';
import { InvalidInputError } from '../errors.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

/** What a SAML provider keeps of its metadata. */
export interface SamlMetadata {
  /** The IdP's entityID. */
  issuer: string;
  /** Its signing certificates, PEM. */
  certificates: string[];
  validUntil: Date | null;
}

function invalid(reason: string): InvalidInputError {
  return new InvalidInputError(`Could not parse metadata: ${reason}.`);
}

/** The element children of `parent` named `localName` in `namespace`. */
function children(parent: Element, namespace: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    const element = node as Element;
    if (node.nodeType === 1 && element.namespaceURI === namespace && element.localName === localName) found.push(element);
  }
  return found;
}

/** A base64 X.509 certificate as PEM, checked to be one (InvalidInput otherwise). */
function toPem(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  try {
    new X509Certificate(Buffer.from(body, 'base64'));
  } catch (error) {
    throw Object.assign(invalid('an X509Certificate of the IDPSSODescriptor is not a certificate'), { cause: error });
  }
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * Reads the metadata: an EntityDescriptor (or the first of an EntitiesDescriptor) with an
 * IDPSSODescriptor whose KeyDescriptors for signing (`use="signing"` or no use) hold X.509
 * certificates. InvalidInput, as AWS answers, when it is not that.
 */
export function parseSamlMetadata(document: string): SamlMetadata {
  const errors: string[] = [];
  let root: Element | null = null;
  try {
    const doc = new DOMParser({ onError: (level, message) => void (level !== 'warning' && errors.push(message)) }).parseFromString(document, 'text/xml');
    root = doc.documentElement;
  } catch (error) {
    throw Object.assign(invalid('the document is not well-formed XML'), { cause: error });
  }
  if (!root || errors.length > 0) throw invalid('the document is not well-formed XML');
  const entity = root.namespaceURI === MD && root.localName === 'EntitiesDescriptor' ? children(root, MD, 'EntityDescriptor')[0] : root;
  if (!entity || entity.namespaceURI !== MD || entity.localName !== 'EntityDescriptor') throw invalid('the root element must be an md:EntityDescriptor');
  const issuer = entity.getAttribute('entityID');
  if (!issuer) throw invalid('the EntityDescriptor has no entityID');
  const idp = children(entity, MD, 'IDPSSODescriptor')[0];
  if (!idp) throw invalid('the EntityDescriptor has no IDPSSODescriptor');
  const certificates: string[] = [];
  for (const key of children(idp, MD, 'KeyDescriptor')) {
    const use = key.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const info of children(key, DS, 'KeyInfo')) {
      for (const data of children(info, DS, 'X509Data')) {
        for (const cert of children(data, DS, 'X509Certificate')) certificates.push(toPem(cert.textContent ?? ''));
      }
    }
  }
  if (certificates.length === 0) throw invalid('the IDPSSODescriptor has no signing certificate (KeyDescriptor with an X509Certificate)');
  const validUntilText = entity.getAttribute('validUntil') || root.getAttribute('validUntil');
  const validUntil = validUntilText ? new Date(validUntilText) : null;
  if (validUntil && Number.isNaN(validUntil.getTime())) throw invalid('validUntil is not a dateTime');
  return { issuer, certificates: [...new Set(certificates)], validUntil };
}
