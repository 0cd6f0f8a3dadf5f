// What each GraphQL or AWS-protocol request leaves behind once answered: one log line
// (request id, operations, caller, account, decision, outcome, status, duration), its
// place in the metrics, and, with tracing on, its facts on the request's span. All of it
// comes from the request's RequestRecord (src/context.ts), which never holds a secret:
// no token, no password, no parameter is ever written here.
import { PolicyDenialError } from './auth/authorize.js';
import { uuidV7 } from './audit/uuid7.js';
import { type Deps, noteDecision, type RequestRecord } from './context.js';
import { IamError } from './errors.js';
import type { Decision, Protocol } from './metrics.js';

/** A finished request's facts, as its log line, its metrics and a tracer see them. */
export interface RequestReport {
  requestId: string;
  protocol: Protocol;
  /** The root fields (GraphQL) or the action (AWS); empty when the request never got that far. */
  operations: readonly string[];
  /** The caller's ARN; absent for an anonymous request or the operator. */
  principal?: string;
  account?: string;
  operator: boolean;
  decision?: Decision;
  /** `ok`, or the code of its first error (AccessDenied, Throttling, BAD_REQUEST...). */
  outcome: string;
  status: number;
  durationMs: number;
}

/** Told of each finished request, in its asynchronous context (tracing sets its span's attributes). */
export type RequestObserver = (report: RequestReport) => void;

/** pino's number for `info`, the request line's level. */
const INFO = 30;

/** A new request's record, its clock started. */
export function startRecord(protocol: Protocol): RequestRecord {
  return { requestId: uuidV7(), protocol, startedAt: performance.now(), operations: undefined, decision: undefined, errorCode: undefined, principal: null, operator: false };
}

/** Notes a request's error: the first one's code is its outcome, and a policy's denial its decision. */
export function noteError(record: RequestRecord, error: unknown, code: string | undefined): void {
  record.errorCode ??= code ?? (error instanceof IamError ? error.code : 'ServiceFailure');
  if (error instanceof PolicyDenialError) noteDecision(record, error.decision);
}

/** The operation label of the metrics: one field or action, `(multiple)`, or `(none)`; never free text. */
function operationLabel(operations: readonly string[] | undefined): string {
  if (operations === undefined || operations.length === 0) return '(none)';
  return operations.length === 1 ? operations[0]! : '(multiple)';
}

/** What a console sign-in's outcome counts as. */
function signInOutcome(outcome: string): string {
  if (outcome === 'ok') return 'success';
  if (outcome === 'Throttling') return 'throttled';
  return outcome === 'InvalidClientTokenId' || outcome === 'InvalidAuthenticationCode' || outcome === 'AccessDenied' ? 'failure' : 'error';
}

/** Reports a request answered with `status`: its log line, its metrics, and `observer` if any. */
export function reportRequest(deps: Pick<Deps, 'logger' | 'metrics'>, record: RequestRecord, status: number, observer?: RequestObserver): void {
  const durationMs = performance.now() - record.startedAt;
  const outcome = record.errorCode ?? (status >= 400 ? `HTTP ${status}` : 'ok');
  const operation = operationLabel(record.operations);
  deps.metrics.requests.observe(record.protocol, operation, outcome, durationMs / 1000);
  if (operation === 'signIn') deps.metrics.signIns.inc({ outcome: signInOutcome(outcome) });
  // levelVal rather than isLevelEnabled('info'): a field read instead of a lookup by name, on every request.
  if (!observer && deps.logger.levelVal > INFO) return;
  const principal = record.principal;
  const report: RequestReport = {
    requestId: record.requestId,
    protocol: record.protocol,
    operations: record.operations ?? [],
    ...(principal ? { principal: principal.arn, account: principal.accountId } : {}),
    operator: record.operator,
    ...(record.decision ? { decision: record.decision } : {}),
    outcome,
    status,
    durationMs: Math.round(durationMs * 1000) / 1000,
  };
  deps.logger.info(report, 'request');
  observer?.(report);
}
