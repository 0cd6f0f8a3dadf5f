// What an audit event may carry: every secret is replaced, as CloudTrail does
// ("HIDDEN_DUE_TO_SECURITY_REASONS"), at any depth of the parameters or response.

export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

const SECRET_KEYS = new Set(
  [
    'password', 'oldPassword', 'newPassword', 'secretAccessKey', 'sessionToken', 'tokenCode', 'mfaCode',
    'authenticationCode1', 'authenticationCode2', 'base32StringSeed', 'otpauthUri', 'qrCodePng', 'seed',
    // A web identity token is a bearer credential until it expires (AWS accepts it again meanwhile).
    'webIdentityToken',
    // Stored forms, should a database row reach an event: hashes and sealed secrets are secrets too.
    'rootPasswordHash', 'passwordHash', 'hash', 'secretHash', 'secretSealed', 'sealedSeed', 'sealedPrivate',
  ].map((key) => key.toLowerCase()),
);

/** A JSON-safe copy of `value` with secrets hidden; undefined stays undefined. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return withoutNul(value);
  if (typeof value !== 'object') return value;
  if (depth > 6) return '[...]';
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item === 'function') continue;
    out[key] = SECRET_KEYS.has(key.toLowerCase()) ? HIDDEN : redact(item, depth + 1);
  }
  return out;
}

/** `text` without NUL characters: Postgres refuses them in text and JSON, and they carry nothing worth keeping. */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '') : text;
}
