// The AWS Query protocol endpoint (`POST /` with a form body, or `GET /?Action=…`),
// for IAM (2010-05-08) and STS (2011-06-15), told apart by `Version` and checked
// against the signature's service. A thin adapter: the request is authenticated
// with SigV4, its parameters become the arguments of the GraphQL field that
// implements the action (src/aws/bindings.ts), and that field runs through the same
// schema — the same @iam guard, tenant isolation, throttling and audit — before its
// answer is written as AWS's XML.
import type { GraphQLInputObjectType, GraphQLSchema } from 'graphql';
import { isInputObjectType, getNamedType } from 'graphql';
import { LongTermKeyCache, authenticateSigV4, type SigV4AuthenticationDeps } from '../auth/sigv4-authenticate.js';
import type { SigningKeyCache } from '../auth/sigv4.js';
import type { Context } from '../context.js';
import { IamError } from '../errors.js';
import { messageWithDetail } from './error-messages.js';
import { type ActionBinding, bindActions, bindingKey } from './bindings.js';
import { awsErrorFrom, awsErrorOf, invalidAction, missingAction, missingVersion, type AwsError } from './errors.js';
import { findServiceByVersion, getErrorTrait, serviceModels, type ServiceModel, type ServiceName } from './model/index.js';
import { readActionArguments } from './query-input.js';
import { writeError, writeResult } from './query-output.js';

/** What executing a bound field answers (a GraphQL result, errors already formatted). */
export interface ExecutionResult {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
}

/** Runs one operation document through the schema with its context (Apollo's executeOperation). */
export type Execute = (request: { query: string; operationName: string; variables: Record<string, unknown> }, context: Context) => Promise<ExecutionResult>;

/** A Query-protocol request as the HTTP layer hands it over. */
export interface AwsRequest {
  method: string;
  path: string;
  /** The raw query string, with or without `?`. */
  search: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The answer to write: status, content type and body. */
export interface AwsResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Whether an HTTP request is one for this endpoint: a form POST to `/`, or a GET of `/` naming an Action. */
export function isAwsRequest(method: string | undefined, path: string, contentType: string | undefined, search: string): boolean {
  if (path !== '/') return false;
  if (method === 'POST') return /^application\/x-www-form-urlencoded/i.test(contentType ?? '');
  return method === 'GET' && /(^|[?&])Action=/.test(search);
}

/** Builds the endpoint over a schema (its bindings are made once), an executor and the SigV4 caches. */
export function createAwsEndpoint(schema: GraphQLSchema, execute: Execute, signingKeys: SigningKeyCache, longTermKeys = new LongTermKeyCache()) {
  const bindings = bindActions(schema);
  const inputTypes = new Map<ActionBinding, GraphQLInputObjectType | undefined>();
  for (const binding of bindings.values()) {
    const root = schema.getQueryType()?.getFields()[binding.field] ?? schema.getMutationType()?.getFields()[binding.field];
    const input = root?.args.find((arg) => arg.name === 'input');
    const named = input && getNamedType(input.type);
    inputTypes.set(binding, named && isInputObjectType(named) ? named : undefined);
  }

  /** Verifies the request's SigV4 signature for `service`; the principal who signed it. */
  // The service's dependencies with this endpoint's two caches, made once per Deps (one per server)
  // rather than by spreading every dependency into a new object on each request.
  const sigv4Deps = new WeakMap<Context['deps'], SigV4AuthenticationDeps>();
  const sigv4DepsOf = (deps: Context['deps']): SigV4AuthenticationDeps => {
    let made = sigv4Deps.get(deps);
    if (!made) sigv4Deps.set(deps, (made = { ...deps, signingKeys, longTermKeys }));
    return made;
  };

  async function authenticate(request: AwsRequest, service: ServiceName, ctx: Context) {
    const { principal, signature } = await authenticateSigV4(sigv4DepsOf(ctx.deps), {
      method: request.method,
      path: request.path,
      query: request.search,
      headers: request.headers,
      body: request.body,
    });
    if (signature.service !== service) {
      throw new IamError('SignatureDoesNotMatch', `Credential should be scoped to correct service: '${service}'.`, 403);
    }
    return principal;
  }

  /** Answers one request; never throws. */
  return async function serve(request: AwsRequest, ctx: Context): Promise<AwsResponse> {
    let namespace = serviceModels.iam.metadata.xmlNamespace;
    try {
      const params = readParams(request);
      const action = params.get('Action');
      if (!action) throw missingAction();
      const version = params.get('Version');
      if (!version) throw missingVersion();
      const model = findServiceByVersion(version);
      if (!model) throw invalidAction(action, version);
      namespace = model.metadata.xmlNamespace;
      const service = model.metadata.signingName as ServiceName;
      const binding = bindings.get(bindingKey(service, action));
      // Actions AWS takes unsigned (AssumeRoleWithWebIdentity: the token is the credential) need no
      // signature; one that is sent anyway is verified like any other.
      const principal = isUnsignedAllowed(binding) && !isSigned(request) ? null : await authenticate(request, service, ctx);
      if (!binding) throw invalidAction(action, version);
      ctx.record.operations = [action];
      const variables = readActionArguments(model, binding.operation.input, inputTypes.get(binding), params);
      ctx.authentication = { principal, operator: false, error: null };
      const result = await execute({ query: binding.document, operationName: action, variables: variables as Record<string, unknown> }, ctx);
      const failure = result.errors?.[0];
      if (failure || !result.data) throw errorOfResult(failure && { ...failure, message: messageWithDetail(failure.message, failure.extensions) }, model, binding);
      const output = binding.operation.output
        ? { shape: binding.operation.output, resultWrapper: binding.operation.resultWrapper, connectionMember: binding.connectionMember }
        : undefined;
      return xml(200, writeResult(model, action, output, result.data[binding.field], ctx.requestId), ctx.requestId);
    } catch (error) {
      if (!(error instanceof IamError)) ctx.deps.logger.error({ err: error }, 'AWS protocol request failed');
      const answer = awsErrorFrom(error);
      ctx.record.errorCode = answer.code;
      return errorResponse(namespace, answer, ctx.requestId);
    }
  };
}

/** True for an action AWS's model marks `smithy.api#noAuth` (STS AssumeRoleWithWebIdentity, AssumeRoleWithSAML). */
function isUnsignedAllowed(binding: ActionBinding | undefined): boolean {
  return binding?.operation.auth?.includes('smithy.api#noAuth') === true;
}

/** True when the request carries a SigV4 signature, in its Authorization header or presigned in its query. */
function isSigned(request: AwsRequest): boolean {
  return request.headers.authorization !== undefined || /(^|[?&])X-Amz-Signature=/i.test(request.search);
}

/** The answer for an error met before a context exists (a body too large). */
export function errorResponse(namespace: string, error: AwsError, requestId: string): AwsResponse {
  const response = xml(error.status, writeError(namespace, error, requestId), requestId);
  // HTTP's own way of saying when to come back (RFC 9110 §10.2.3), beside the message that says it too.
  if (error.retryAfterSeconds !== undefined) response.headers['retry-after'] = String(error.retryAfterSeconds);
  return response;
}


function xml(status: number, body: string, requestId: string): AwsResponse {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/**
 * The request's parameters: a POST's form body, or a GET's query string (less the
 * presigned signature's own parameters). A parameter given twice is refused: AWS
 * would take one of them, and which one is not something a caller should guess.
 */
function readParams(request: AwsRequest): Map<string, string> {
  const source = request.method === 'GET' ? new URLSearchParams(request.search) : new URLSearchParams(request.body.toString('utf8'));
  const params = new Map<string, string>();
  for (const [key, value] of source) {
    if (request.method === 'GET' && /^X-Amz-/i.test(key)) continue;
    if (params.has(key)) throw new IamError('InvalidParameterValue', `The parameter ${key} is given more than once.`, 400);
    params.set(key, value);
  }
  return params;
}

/**
 * The code the action's model declares for one of ours, where it spells it with AWS's
 * `Exception` suffix: STS's AssumeRoleWithWebIdentity answers an expired ID token with
 * `ExpiredTokenException` (400), which the SDKs turn into their typed exception, not the
 * common `ExpiredToken` (403) of an expired request credential.
 */
function declaredCode(model: ServiceModel, binding: ActionBinding, code: string): string {
  const suffixed = `${code}Exception`;
  return binding.operation.errors.some((shape) => getErrorTrait(model, shape).code === suffixed) ? suffixed : code;
}

/** The IamError a failed execution stands for: its AWS code, or ValidationError for a request the schema refused. */
function errorOfResult(failure: { message: string; extensions?: Record<string, unknown> } | undefined, model: ServiceModel, binding: ActionBinding): IamError {
  if (!failure) return new IamError('ServiceFailure', 'An internal error occurred.', 500);
  const code = typeof failure.extensions?.code === 'string' ? failure.extensions.code : 'ServiceFailure';
  // The schema's own checks (a value outside an enum, a wrong type) are AWS's ValidationError.
  if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'BAD_USER_INPUT' || code === 'GRAPHQL_PARSE_FAILED') {
    return new IamError('ValidationError', `1 validation error detected: ${failure.message}`, 400);
  }
  const wire = awsErrorOf(declaredCode(model, binding, code), failure.message);
  const retryAfterSeconds = failure.extensions?.retryAfterSeconds;
  return new IamError(wire.code, wire.message, wire.status, typeof retryAfterSeconds === 'number' ? { extensions: { retryAfterSeconds } } : {});
}
