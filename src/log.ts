// Structured logs (pino). Redaction is a second line of defence: secrets are
// never passed to the logger on purpose, and these paths blank them if they are.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { DestinationStream, Logger };

const REDACTED_PATHS = [
  'password', '*.password', '*.*.password', 'newPassword', '*.newPassword', 'oldPassword', '*.oldPassword',
  'secretAccessKey', '*.secretAccessKey', '*.*.secretAccessKey', 'sessionToken', '*.sessionToken', '*.*.sessionToken',
  'token', '*.token', 'authorization', '*.authorization', 'req.headers.authorization', 'headers.authorization',
  'mfaCode', '*.mfaCode', 'authenticationCode1', '*.authenticationCode1', 'authenticationCode2', '*.authenticationCode2',
  'base32StringSeed', '*.base32StringSeed', '*.*.base32StringSeed', 'variables',
];

/** Builds the service logger, writing to stdout unless given another `destination` (tests capture it). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' }, base: { service: 'open-iam' } };
  return destination ? pino(options, destination) : pino(options);
}
