// Reads the parts of a SigV4 signature out of a request, from the Authorization
// header or from a presigned URL's query, and checks their shape. No secret and no
// clock are involved here: that is sigv4.ts.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-authentication-methods.html
import { incompleteSignature, missingAuthenticationToken, signatureDoesNotMatch } from './sigv4-errors.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** A presigned URL lives at most a week (AWS: "X-Amz-Expires ... maximum 604800"). */
export const MAX_EXPIRES_SECONDS = 604_800;

/** Header names lower-cased, each with every value it was sent with. */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

/** The signature as the request states it. */
export interface SignatureParts {
  form: 'header' | 'query';
  accessKeyId: string;
  /** The credential scope: date (YYYYMMDD), region, service, terminator. */
  scope: { date: string; region: string; service: string; terminator: string };
  /** Lower-cased, de-duplicated, sorted. */
  signedHeaders: string[];
  signature: string;
  /** The signing time as the string to sign states it: YYYYMMDD'T'HHMMSS'Z'. */
  longDate: string;
  signedAt: Date;
  /** X-Amz-Expires, presigned form only, when given. */
  expiresSeconds?: number;
  securityToken?: string;
  /** Where the token came from: a header must be signed to count, a query parameter always is. */
  securityTokenIn?: 'header' | 'query';
}

/** Lower-cases header names and drops absent values. */
export function normalizeHeaders(headers: Record<string, string | string[] | undefined>): HeaderMap {
  const map = new Map<string, string[]>();
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const had = map.get(lower);
    if (had) had.push(...(Array.isArray(value) ? value : [value]));
    else map.set(lower, Array.isArray(value) ? [...value] : [value]);
  }
  return map;
}

/**
 * The signature parts of a request, in AWS's order of checks: which form (neither is
 * MissingAuthenticationToken, both is SignatureDoesNotMatch), then that form's parts.
 */
export function parseSignature(headers: HeaderMap, query: URLSearchParams): SignatureParts {
  const authorization = headers.get('authorization')?.[0];
  const algorithm = query.get('X-Amz-Algorithm');
  if (authorization !== undefined && algorithm !== null) {
    return fail(signatureDoesNotMatch(undefined, 'both an Authorization header and X-Amz-Algorithm in the query'));
  }
  if (authorization !== undefined) return parseAuthorizationHeader(authorization, headers);
  if (algorithm !== null) return parsePresignedQuery(algorithm, query);
  return fail(missingAuthenticationToken());
}

function parseAuthorizationHeader(header: string, headers: HeaderMap): SignatureParts {
  const value = header.trim();
  const space = value.indexOf(' ');
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) return fail(incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'.`));

  const params = new Map<string, string>();
  for (const raw of (space < 0 ? '' : value.slice(space + 1)).split(',')) {
    const param = raw.trim();
    if (param === '') continue;
    const eq = param.indexOf('=');
    if (eq < 0) {
      return fail(incompleteSignature(`'${param}' not a valid key=value pair (missing equal-sign) in Authorization header: '${value}'`));
    }
    params.set(param.slice(0, eq), param.slice(eq + 1)); // the last of a repeated key wins, as at AWS
  }

  const credential = params.get('Credential');
  const signature = params.get('Signature');
  const signedHeaders = params.get('SignedHeaders');
  const amzDate = headers.get('x-amz-date')?.[0];
  const httpDate = headers.get('date')?.[0];
  const missing = [
    credential === undefined ? "Authorization header requires 'Credential' parameter." : undefined,
    signature === undefined ? "Authorization header requires 'Signature' parameter." : undefined,
    signedHeaders === undefined ? "Authorization header requires 'SignedHeaders' parameter." : undefined,
    amzDate === undefined && httpDate === undefined
      ? "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
      : undefined,
  ].filter((m) => m !== undefined);
  if (missing.length > 0 || credential === undefined || signature === undefined || signedHeaders === undefined) {
    return fail(incompleteSignature(`${missing.join(' ')} Authorization=${value}`));
  }

  const longDate = amzDate !== undefined ? amzDate.trim() : undefined;
  const signedAt = longDate !== undefined ? parseBasicDate(longDate) : parseHttpDate((httpDate ?? '').trim());
  const token = headers.get('x-amz-security-token')?.[0];
  return {
    form: 'header',
    ...parseCredential(credential),
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature,
    // A basic date that parsed is its own canonical form (parseBasicDate checks it round-trips).
    longDate: longDate ?? toBasicDate(signedAt),
    signedAt,
    ...(token !== undefined ? { securityToken: token, securityTokenIn: 'header' as const } : {}),
  };
}

function parsePresignedQuery(algorithm: string, query: URLSearchParams): SignatureParts {
  if (algorithm !== ALGORITHM) return fail(incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'.`));
  const credential = query.get('X-Amz-Credential');
  const signature = query.get('X-Amz-Signature');
  const signedHeaders = query.get('X-Amz-SignedHeaders');
  const amzDate = query.get('X-Amz-Date');
  const missing = [
    credential === null ? "AWS query-string parameters must include 'X-Amz-Credential'." : undefined,
    signature === null ? "AWS query-string parameters must include 'X-Amz-Signature'." : undefined,
    signedHeaders === null ? "AWS query-string parameters must include 'X-Amz-SignedHeaders'." : undefined,
    amzDate === null ? "AWS query-string parameters must include 'X-Amz-Date'." : undefined,
  ].filter((m) => m !== undefined);
  if (missing.length > 0 || credential === null || signature === null || signedHeaders === null || amzDate === null) {
    return fail(incompleteSignature(`${missing.join(' ')} Re-examine the query-string parameters.`));
  }

  const expires = query.get('X-Amz-Expires');
  const token = query.get('X-Amz-Security-Token');
  const signedAt = parseBasicDate(amzDate);
  return {
    form: 'query',
    ...parseCredential(credential),
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature,
    longDate: amzDate,
    signedAt,
    ...(expires !== null ? { expiresSeconds: parseExpires(expires) } : {}),
    ...(token !== null ? { securityToken: token, securityTokenIn: 'query' as const } : {}),
  };
}

function parseCredential(credential: string): Pick<SignatureParts, 'accessKeyId' | 'scope'> {
  const parts = credential.split('/');
  const [accessKeyId, date, region, service, terminator] = parts;
  if (parts.length !== 5 || accessKeyId === undefined || date === undefined || region === undefined || service === undefined || terminator === undefined) {
    return fail(
      incompleteSignature(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`),
    );
  }
  return { accessKeyId, scope: { date, region, service, terminator } };
}

/** Lower-cased, de-duplicated and sorted; the SDKs and the CLI already send them so, which costs one pass. */
function parseSignedHeaders(list: string): string[] {
  const names = list.split(';');
  let ordered = true;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!.trim().toLowerCase();
    names[i] = name;
    if (i > 0 && names[i - 1]! >= name) ordered = false;
  }
  return ordered ? names : [...new Set(names)].sort();
}

/** X-Amz-Expires in seconds. The messages are S3's: the Query-protocol services publish none. */
function parseExpires(value: string): number {
  if (value.startsWith('-')) return fail(incompleteSignature('X-Amz-Expires must be non-negative'));
  if (!/^\d+$/.test(value)) return fail(incompleteSignature('X-Amz-Expires should be a number'));
  const seconds = Number(value);
  if (seconds > MAX_EXPIRES_SECONDS) {
    return fail(incompleteSignature(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}`));
  }
  return seconds;
}

const BASIC_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const badDate = (value: string) =>
  incompleteSignature(`Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`);

/** YYYYMMDD'T'HHMMSS'Z', and only a real instant (no 30 February). */
function parseBasicDate(value: string): Date {
  const m = BASIC_DATE.exec(value);
  if (!m) return fail(badDate(value));
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // A real instant: Date.UTC rolls 30 February over into March, so every field must come back as given.
  const real = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && date.getUTCHours() === h && date.getUTCMinutes() === mi && date.getUTCSeconds() === s;
  if (!real) return fail(badDate(value));
  return date;
}

/** An HTTP `Date` header (RFC 9110 IMF-fixdate, e.g. "Mon, 07 Dec 2026 14:51:08 GMT"), to the second. */
function parseHttpDate(value: string): Date {
  const ms = Date.parse(value);
  if (!/GMT$/.test(value) || Number.isNaN(ms)) return fail(badDate(value));
  return new Date(Math.floor(ms / 1000) * 1000);
}

/** YYYYMMDD'T'HHMMSS'Z', the form of X-Amz-Date and of the string to sign. */
export const toBasicDate = (date: Date): string => {
  // Slices of the ISO form (YYYY-MM-DDTHH:MM:SS.sssZ): about ten times cheaper than two regular-expression replaces, and it runs on every request.
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
};

function fail(error: Error): never {
  throw error;
}
