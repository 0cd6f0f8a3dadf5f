// Structured logs (pino). Redaction is a second line of defence: secrets are
// never passed to the logger on purpose, and these paths blank them if they are.
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACTED_PATHS = [
  'password', '*.password', '*.*.password', 'newPassword', '*.newPassword', 'oldPassword', '*.oldPassword',
  'secretAccessKey', '*.secretAccessKey', '*.*.secretAccessKey', 'sessionToken', '*.sessionToken', '*.*.sessionToken',
  'token', '*.token', 'authorization', '*.authorization', 'req.headers.authorization', 'headers.authorization',
  'mfaCode', '*.mfaCode', 'authenticationCode1', '*.authenticationCode1', 'authenticationCode2', '*.authenticationCode2',
  'base32StringSeed', '*.base32StringSeed', '*.*.base32StringSeed', 'variables',
];

/** Builds the service logger. */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' }, base: { service: 'open-iam' } });
}
