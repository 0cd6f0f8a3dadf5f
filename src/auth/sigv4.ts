// Verifies an incoming request's AWS Signature Version 4, the server side of what the
// AWS CLI and SDKs send to the Query protocol (IAM, STS). Pure: the request is a value,
// the clock an argument, the secret comes from a callback; nothing here touches a database.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-authentication-methods.html
//
// The canonical request and the string to sign are @smithy/signature-v4's, the signer
// inside the JS SDK v3, so both sides canonicalise path, query and headers with one
// implementation; the tests also verify requests recorded from botocore (the AWS CLI).
import { createHash, createHmac, hash, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4Base, type getCanonicalQuery } from '@smithy/signature-v4';
import { invalidClientTokenId, requestExpired, signatureDoesNotMatch } from './sigv4-errors.js';
import { deriveSigningKey, type SigningKeyCache, type SigningScope } from './sigv4-keys.js';
import { ALGORITHM, normalizeHeaders, parseSignature, toBasicDate, type HeaderMap, type SignatureParts } from './sigv4-parse.js';

export { SigningKeyCache } from './sigv4-keys.js';

/** An incoming HTTP request, as much of it as a signature covers. */
export interface SigV4Request {
  method: string;
  /** The path as received, still percent-encoded, without the query string (`/` for the Query protocol). */
  path: string;
  /** The query string as received (a leading `?` is allowed), or its parsed parameters. */
  query: URLSearchParams | string;
  /** Header names in any case; a repeated header as an array. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body bytes (a string is taken as UTF-8). */
  body: Buffer | string;
}

/** The secret an access key signs with; `null` when the key is not known. */
export type SecretLookup = (
  accessKeyId: string,
  context: { securityToken?: string },
) => Promise<{ secretAccessKey: string } | null>;

export interface VerifySigV4Options {
  /** The server's clock. */
  now: Date;
  /** Finds the secret of an access key. It may throw an IamError of its own (an inactive key, an expired session). */
  lookup: SecretLookup;
  /** Reuses derived signing keys across requests; without one each request derives its own. */
  cache?: SigningKeyCache;
  /** Credential-scope services accepted. Default: `iam` and `sts`. */
  services?: readonly string[];
}

/** Who signed, and what the signature covers. */
export interface VerifiedSigV4 {
  accessKeyId: string;
  /** The credential scope's service (`iam` or `sts`) and region. */
  service: string;
  region: string;
  /** The session token of temporary credentials, when sent (header or query). */
  securityToken?: string;
  /** Lower-cased and sorted, as signed. */
  signedHeaders: string[];
  /** When the request was signed (X-Amz-Date, or the Date header). */
  signedAt: Date;
  /** `query` for a presigned URL. */
  form: 'header' | 'query';
  /** False only for a presigned request that signed `UNSIGNED-PAYLOAD`: its body is not covered. */
  payloadSigned: boolean;
}

/** AWS refuses a signature dated further than this from its clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const DEFAULT_SERVICES: readonly string[] = Object.freeze(['iam', 'sts']);
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/**
 * Verifies the SigV4 signature of `request`, in the Authorization-header form or the
 * presigned-query form, and answers who signed it. Throws IamError with AWS's code:
 * MissingAuthenticationToken, IncompleteSignature, SignatureDoesNotMatch (also for a
 * signature outside the 15-minute window), RequestExpired (a presigned URL past its
 * X-Amz-Expires), InvalidClientTokenId (`lookup` answered null), or whatever `lookup` throws.
 *
 * Checks run in AWS's order, every shape and time check before `lookup` is called, so a
 * malformed or stale request costs no lookup.
 */
export async function verifySigV4(request: SigV4Request, options: VerifySigV4Options): Promise<VerifiedSigV4> {
  const headers = normalizeHeaders(request.headers);
  const query = typeof request.query === 'string' ? new URLSearchParams(request.query) : request.query;
  const parts = parseSignature(headers, query);

  checkSignedHeaders(parts, headers);
  checkTime(parts, options.now);
  checkScope(parts, options.services ?? DEFAULT_SERVICES);
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
  const payloadHash = choosePayloadHash(parts, headers, query, body);

  const found = await options.lookup(parts.accessKeyId, parts.securityToken !== undefined ? { securityToken: parts.securityToken } : {});
  if (!found) throw invalidClientTokenId();

  const scope: SigningScope = { accessKeyId: parts.accessKeyId, ...parts.scope };
  const signingKey = options.cache ? options.cache.signingKey(found.secretAccessKey, scope, options.now.getTime()) : deriveSigningKey(found.secretAccessKey, scope);
  const expected = computeSignature(request, query, headers, parts, payloadHash, signingKey);
  if (!isSameSignature(parts.signature, expected)) throw signatureDoesNotMatch();

  return {
    accessKeyId: parts.accessKeyId,
    service: parts.scope.service,
    region: parts.scope.region,
    ...(parts.securityToken !== undefined ? { securityToken: parts.securityToken } : {}),
    signedHeaders: parts.signedHeaders,
    signedAt: parts.signedAt,
    form: parts.form,
    payloadSigned: payloadHash !== UNSIGNED_PAYLOAD,
  };
}

/**
 * Host must be signed; every signed header must be present; a session token sent as a
 * header must be signed. Departure: AWS lets some services take a token added after
 * signing (its test suite's post-sts-header-after); we do not, since the AWS CLI and the
 * SDKs always sign it and an unsigned token could be swapped for another session's.
 */
function checkSignedHeaders(parts: SignatureParts, headers: HeaderMap): void {
  const signed = new Set(parts.signedHeaders);
  if (!signed.has('host') && !signed.has(':authority')) {
    throw signatureDoesNotMatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (parts.securityTokenIn === 'header' && !signed.has('x-amz-security-token')) {
    throw signatureDoesNotMatch("'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const absent = parts.signedHeaders.filter((name) => !headers.has(name));
  if (absent.length > 0) throw signatureDoesNotMatch(undefined, `signed headers not in the request: ${absent.join(', ')}`);
}

/**
 * AWS's window: a signature more than 15 minutes older or newer than the server's clock is
 * refused with SignatureDoesNotMatch and this wording; a presigned URL that states
 * X-Amz-Expires is good until X-Amz-Date plus that many seconds, then RequestExpired.
 */
function checkTime(parts: SignatureParts, now: Date): void {
  const at = parts.signedAt.getTime();
  const nowMs = Math.floor(now.getTime() / 1000) * 1000;
  // The texts are made only for a refusal's message.
  const nowText = () => toBasicDate(new Date(nowMs));
  const signedText = parts.longDate;
  if (at > nowMs + MAX_CLOCK_SKEW_MS) {
    throw signatureDoesNotMatch(
      `Signature not yet current: ${signedText} is still later than ${toBasicDate(new Date(nowMs + MAX_CLOCK_SKEW_MS))} (${nowText()} + 15 min.)`,
    );
  }
  if (parts.expiresSeconds !== undefined) {
    if (nowMs > at + parts.expiresSeconds * 1000) throw requestExpired();
    return;
  }
  if (at < nowMs - MAX_CLOCK_SKEW_MS) {
    throw signatureDoesNotMatch(
      `Signature expired: ${signedText} is now earlier than ${toBasicDate(new Date(nowMs - MAX_CLOCK_SKEW_MS))} (${nowText()} - 15 min.)`,
    );
  }
}

/** The credential scope must name the request's own date, a service we answer, and `aws4_request`. Any region is accepted. */
function checkScope(parts: SignatureParts, services: readonly string[]): void {
  const { date, region, service, terminator } = parts.scope;
  const problems: string[] = [];
  if (region === '') problems.push("Credential should be scoped to a valid region, not ''.");
  if (!services.includes(service)) problems.push(`Credential should be scoped to correct service: '${services.join("' or '")}'.`);
  if (terminator !== 'aws4_request') problems.push(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);
  const ownDate = parts.longDate.slice(0, 8);
  if (date !== ownDate) {
    problems.push(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${ownDate}', from '${parts.longDate}'.`,
    );
  }
  if (problems.length > 0) throw signatureDoesNotMatch(problems.join(' '));
}

/**
 * The payload hash the signature covers: always the body's SHA-256, which a sent
 * x-amz-content-sha256 (the JS SDK sends it) must equal. Only a presigned request may say
 * UNSIGNED-PAYLOAD (header or X-Amz-Content-Sha256 query parameter), as S3's presigners do.
 */
function choosePayloadHash(parts: SignatureParts, headers: HeaderMap, query: URLSearchParams, body: Buffer): string {
  const bodyHash = hash('sha256', body, 'hex');
  const claimed = headers.get('x-amz-content-sha256')?.[0]?.trim() ?? (parts.form === 'query' ? hoistedContentHash(query) : undefined);
  if (claimed === undefined || claimed.toLowerCase() === bodyHash) return bodyHash;
  if (claimed === UNSIGNED_PAYLOAD && parts.form === 'query') return UNSIGNED_PAYLOAD;
  throw signatureDoesNotMatch(undefined, 'x-amz-content-sha256 is not the SHA-256 of the body');
}

/** A presigner hoists x-amz-* headers into the query keeping their case (smithy) or as X-Amz-Content-Sha256 (S3's presigner). */
function hoistedContentHash(query: URLSearchParams): string | undefined {
  for (const [key, value] of query) if (key.toLowerCase() === 'x-amz-content-sha256') return value;
  return undefined;
}

/** The hex signature AWS would compute for this request with `signingKey`. */
function computeSignature(
  request: SigV4Request,
  query: URLSearchParams,
  headers: HeaderMap,
  parts: SignatureParts,
  payloadHash: string,
  signingKey: Buffer,
): string {
  // Exactly the signed headers, each value in AWS's canonical form (canonicalHeaderValue).
  const canonicalHeaders: Record<string, string> = Object.create(null);
  for (const name of parts.signedHeaders) canonicalHeaders[name] = canonicalHeaderValue(headers.get(name) ?? []);

  // The query as signed: every parameter, repeated ones kept; smithy leaves out X-Amz-Signature.
  const queryBag: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of query) {
    const had = queryBag[key];
    queryBag[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }

  const canonicalRequest = canonicalizer.canonicalRequest(smithyRequest(request.method.toUpperCase(), request.path, queryBag, canonicalHeaders), canonicalHeaders, payloadHash);
  const scope = `${parts.scope.date}/${parts.scope.region}/${parts.scope.service}/${parts.scope.terminator}`;
  // AWS's string to sign is four lines: the algorithm, the time, the scope, the canonical request's SHA-256.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#create-string-to-sign
  const stringToSign = `${ALGORITHM}\n${parts.longDate}\n${scope}\n${hash('sha256', canonicalRequest, 'hex')}`;
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/**
 * A header's value as the canonical request has it: AWS's Trimall ("remove excess white
 * space before and after values, and convert sequential spaces to a single space"), a
 * repeated header's values trimmed and joined by commas as botocore does, and line breaks
 * as spaces (smithy's getCanonicalHeaders, which the SDK signs with, does the same). Most
 * values need none of it, and are returned as they came.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#create-canonical-request
 */
export function canonicalHeaderValue(values: readonly string[]): string {
  const joined = values.length === 1 ? values[0]! : values.map((value) => value.trim()).join(',');
  return NEEDS_TRIMALL.test(joined) ? joined.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '') : joined;
}

/** A value with a tab, a line break, two spaces in a row, or a space at either end. */
const NEEDS_TRIMALL = /[\t\r\n]| {2}|^ | $/;

/** Compares in time independent of where the strings differ (only the length may show). */
function isSameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

type SmithyRequest = Parameters<typeof getCanonicalQuery>[0];
type HeaderBag = Record<string, string>;

const smithyRequest = (method: string, path: string, query: SmithyRequest['query'], headers: HeaderBag): SmithyRequest => ({
  method,
  protocol: 'https:',
  hostname: '',
  path: path === '' ? '/' : path,
  query,
  headers,
});

/** SHA-256 (or HMAC-SHA256 with a key) in the shape smithy's signer expects of a hash. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = secret === undefined ? undefined : typeof secret === 'string' ? secret : toBuffer(secret);
    this.hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): this {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : toBuffer(data));
    return this;
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

const toBuffer = (data: ArrayBuffer | ArrayBufferView): Buffer =>
  ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

/**
 * smithy's canonicalisation, reached through its base class: `createCanonicalRequest`
 * (method, normalised and URI-encoded path, sorted RFC 3986 query, canonical headers,
 * signed-header list, payload hash). The string to sign (four lines) is written here,
 * synchronously: smithy's is asynchronous, for hashes that may be. Its credentials and region
 * are never used: signing keys are ours (sigv4-keys.ts). The base class is exported but
 * documented as internal to smithy; the SDK-signed and recorded cases in sigv4.test.ts
 * fail if an upgrade changes what it computes.
 */
class Canonicalizer extends SignatureV4Base {
  constructor() {
    super({ service: 'unused', region: 'unused', credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: NodeSha256 });
  }
  canonicalRequest(request: SmithyRequest, headers: HeaderBag, payloadHash: string): string {
    return this.createCanonicalRequest(request, headers, payloadHash);
  }
}

const canonicalizer = new Canonicalizer();
