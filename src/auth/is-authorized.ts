// isAuthorized: "may the calling session do this action on this resource?", for
// any service namespace (docs:Edit on arn:aws:docs:::doc/42). A SaaS backend
// passes its end user's token and asks. The caller may add request facts to the
// context but never the facts of its own session (who it is, its tags, MFA).
import { InvalidInputError } from '../errors.js';
import type { EvaluationResult, RequestContext } from '../policy/index.js';
import type { Principal } from '../sessions/principal.js';
import type { Authorizer } from './authorize.js';

/** Context keys that describe the session itself; a caller cannot supply them. */
const SESSION_KEYS = /^aws:(principal|username$|userid$|multifactorauth|tokenissuetime$|sourceidentity$|viamanagedservice$|calledvia)/i;

export interface AuthorizationQuestion {
  action: string;
  resource: string;
  context?: RequestContext;
}

/** Answers one question for the calling session (at once when its policies are cached). */
export function isAuthorized(
  authorizer: Authorizer,
  principal: Principal,
  question: AuthorizationQuestion,
  request: { sourceIp: string; secureTransport: boolean; now: Date },
): EvaluationResult | Promise<EvaluationResult> {
  if (!/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(question.action)) {
    throw new InvalidInputError(`Invalid action name ${question.action}: expected service:Action.`);
  }
  for (const key of Object.keys(question.context ?? {})) {
    if (SESSION_KEYS.test(key)) throw new InvalidInputError(`Context key ${key} describes the session and cannot be supplied.`);
  }
  return authorizer.decide({ principal, action: question.action, resourceArn: question.resource, context: question.context ?? {}, request });
}
