// The error thrown by `parsePolicy`: an AWS error code, AWS's wording in
// `message`, and where in the document the problem is.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html#API_CreatePolicy_Errors

/** The AWS error codes a policy document can be rejected with. */
export type PolicyErrorCode = 'MalformedPolicyDocument' | 'LimitExceeded';

/** A JSON path into the policy document, for example `['Statement', 0, 'Action', 1]`. */
export type PolicyPath = Array<string | number>;

/** A position in the policy text; `line` and `column` are 1-based, `offset` 0-based (UTF-16 units). */
export interface TextPosition {
  offset: number;
  line: number;
  column: number;
}

/**
 * A policy document that IAM would refuse. `message` is worded as AWS words it
 * (for example `Syntax errors in policy.`); `detail` says precisely what is wrong
 * in our own words; `path` and `position` say where.
 */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code: PolicyErrorCode;
  /** JSON path of the offending element; `[]` for the document itself. */
  readonly path: PolicyPath;
  /** Where in the text the offending element starts, when known. */
  readonly position: TextPosition | undefined;
  /** A precise explanation, for logs and for `validatePolicy` findings. */
  readonly detail: string;

  constructor(
    code: PolicyErrorCode,
    message: string,
    options: { path?: PolicyPath; position?: TextPosition; detail?: string } = {},
  ) {
    super(message);
    this.code = code;
    this.path = options.path ?? [];
    this.position = options.position;
    this.detail = options.detail ?? message;
  }
}

/** True when `error` is a `PolicyError`. */
export function isPolicyError(error: unknown): error is PolicyError {
  return error instanceof PolicyError;
}

/** Renders a JSON path the way people read it: `Statement[0].Action[1]`. */
export function formatPolicyPath(path: PolicyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}
