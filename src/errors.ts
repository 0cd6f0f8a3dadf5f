// One base error carrying an AWS error code, and a small class per code. Resolvers
// throw these; graphql-js copies `extensions` onto the GraphQL error, so the
// client sees `extensions.code` = AWS's code. Anything else is masked (see
// src/graphql/format-error.ts).

/** An error's cause (never shown) and the details shown beside its code in `extensions`. */
export interface IamErrorOptions {
  cause?: unknown;
  extensions?: Record<string, unknown>;
}

/** An error whose code and message are safe to show to the caller. */
export class IamError extends Error {
  /** What the caller sees beside the message: the code, and any detail of ours (a throttle's `retryAfterSeconds`). */
  readonly extensions: Readonly<Record<string, unknown> & { code: string }>;
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
    options?: IamErrorOptions,
  ) {
    super(message, options);
    this.name = `${code}Error`;
    this.extensions = { ...options?.extensions, code };
  }
}

const define = (code: string, status = 400) =>
  class extends IamError {
    constructor(message: string, options?: IamErrorOptions) {
      super(code, message, status, options);
    }
  };

export class EntityAlreadyExistsError extends define('EntityAlreadyExists', 409) {}
export class NoSuchEntityError extends define('NoSuchEntity', 404) {}
export class LimitExceededError extends define('LimitExceeded', 409) {}
export class MalformedPolicyDocumentError extends define('MalformedPolicyDocument') {}
export class DeleteConflictError extends define('DeleteConflict', 409) {}
export class ValidationError extends define('ValidationError') {}
export class InvalidInputError extends define('InvalidInput') {}
export class UnmodifiableEntityError extends define('UnmodifiableEntity') {}
export class PasswordPolicyViolationError extends define('PasswordPolicyViolation') {}
export class EntityTemporarilyUnmodifiableError extends define('EntityTemporarilyUnmodifiable', 409) {}
export class AccessDeniedError extends define('AccessDenied', 403) {}
export class InvalidClientTokenIdError extends define('InvalidClientTokenId', 403) {}
/** No credentials at all (AWS's answer to an unsigned request): a forged or stale one is InvalidClientTokenId. */
export class MissingAuthenticationTokenError extends define('MissingAuthenticationToken', 403) {}
export class ExpiredTokenError extends define('ExpiredToken', 403) {}
export class InvalidAuthenticationCodeError extends define('InvalidAuthenticationCode', 403) {}
export class ConcurrentModificationError extends define('ConcurrentModification', 409) {}
/**
 * AWS's Throttling, saying when to retry: in the message (all the Query protocol's
 * error shape carries) and as `extensions.retryAfterSeconds`, whole seconds, at least 1.
 */
export class ThrottlingError extends IamError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterMs: number, reason: string, options?: { cause?: unknown }) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super('Throttling', `Rate exceeded: ${reason}. Retry in ${seconds} second${seconds === 1 ? '' : 's'}.`, 429, {
      ...options,
      extensions: { retryAfterSeconds: seconds },
    });
    this.retryAfterSeconds = seconds;
  }
}
export class ServiceFailureError extends define('ServiceFailure', 500) {}
// AssumeRoleWithWebIdentity's own codes (STS): https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html#API_AssumeRoleWithWebIdentity_Errors
export class InvalidIdentityTokenError extends define('InvalidIdentityToken') {}
export class IdpRejectedClaimError extends define('IDPRejectedClaim', 403) {}
export class IdpCommunicationError extends define('IDPCommunicationError') {}
export class PackedPolicyTooLargeError extends define('PackedPolicyTooLarge') {}
