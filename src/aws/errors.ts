// AWS's error answers on the Query protocol: each code with its HTTP status and
// fault, from the service models' error shapes and AWS's common errors, and the
// errors of the protocol itself (no Action, an unknown one, a malformed request).
// https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
import { IamError } from '../errors.js';
import type { ErrorType } from './query-output.js';
import { getErrorTrait, serviceModels } from './model/index.js';

/** AWS's common errors (every action may answer them), as status and fault. */
const COMMON: Readonly<Record<string, { status: number; type: ErrorType }>> = Object.freeze({
  AccessDenied: { status: 403, type: 'Sender' },
  ExpiredToken: { status: 403, type: 'Sender' },
  IncompleteSignature: { status: 400, type: 'Sender' },
  InternalFailure: { status: 500, type: 'Receiver' },
  InvalidAction: { status: 400, type: 'Sender' },
  InvalidClientTokenId: { status: 403, type: 'Sender' },
  InvalidParameterCombination: { status: 400, type: 'Sender' },
  InvalidParameterValue: { status: 400, type: 'Sender' },
  InvalidQueryParameter: { status: 400, type: 'Sender' },
  MalformedQueryString: { status: 404, type: 'Sender' },
  MissingAction: { status: 400, type: 'Sender' },
  MissingAuthenticationToken: { status: 403, type: 'Sender' },
  MissingParameter: { status: 400, type: 'Sender' },
  RequestEntityTooLarge: { status: 413, type: 'Sender' },
  RequestExpired: { status: 400, type: 'Sender' },
  ServiceUnavailable: { status: 503, type: 'Receiver' },
  SignatureDoesNotMatch: { status: 403, type: 'Sender' },
  Throttling: { status: 400, type: 'Sender' },
  ValidationError: { status: 400, type: 'Sender' },
  ServiceFailure: { status: 500, type: 'Receiver' },
});

/** Every error code the models declare, with its status and fault. */
const DECLARED: ReadonlyMap<string, { status: number; type: ErrorType }> = new Map(
  Object.values(serviceModels).flatMap((model) =>
    Object.entries(model.shapes)
      .filter(([, shape]) => shape.type === 'structure' && (shape.exception || shape.error))
      .map(([name]) => {
        const trait = getErrorTrait(model, name);
        return [trait.code, { status: trait.httpStatusCode, type: trait.senderFault === false ? 'Receiver' : 'Sender' }] as const;
      }),
  ),
);

/** An error as the Query protocol answers it. */
export interface AwsError {
  status: number;
  type: ErrorType;
  code: string;
  message: string;
  /** When to retry, for a Throttling answer: its message says so, and a `Retry-After` header too. */
  retryAfterSeconds?: number;
}

/** The wire form of an error code and message; codes AWS does not list are sender faults with 400. */
export function awsErrorOf(code: string, message: string): AwsError {
  const known = COMMON[code] ?? DECLARED.get(code);
  return { status: known?.status ?? 400, type: known?.type ?? 'Sender', code, message };
}

/** The wire form of a thrown error: ours keep their code (and a throttle's retry time); anything else is a ServiceFailure (logged by the caller). */
export function awsErrorFrom(error: unknown): AwsError {
  if (error instanceof IamError) {
    const wire = awsErrorOf(error.code, error.message);
    const retryAfterSeconds = error.extensions.retryAfterSeconds;
    return typeof retryAfterSeconds === 'number' ? { ...wire, retryAfterSeconds } : wire;
  }
  return awsErrorOf('ServiceFailure', 'An internal error occurred.');
}

/** The request names no action. */
export const missingAction = (): IamError => new IamError('MissingAction', 'Missing Action', 400);

/** The request names no API version. */
export const missingVersion = (): IamError => new IamError('MissingParameter', 'The request must contain the parameter Version', 400);

/** An action this service does not answer (AWS's InvalidAction). */
export const invalidAction = (action: string, version: string): IamError =>
  new IamError('InvalidAction', `Could not find operation ${action} for version ${version}`, 400);
