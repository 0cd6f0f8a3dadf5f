// The HTTP front: health and readiness, the JWKS and OpenID discovery documents,
// and GraphQL at /graphql through Apollo's executeHTTPGraphQLRequest (our own
// thin integration, so body size, headers and routes are ours to bound).
import http from 'node:http';
import type { ApolloServer, ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { authenticate, isSameSecret } from './auth/authenticate.js';
import { HeaderMap } from '@apollo/server';
import { type DocumentNode, type FragmentDefinitionNode, GraphQLError, Kind, type SelectionSetNode } from 'graphql';
import { holdsNul } from './graphql/rules/no-nul.js';
import type { Context, Deps, RequestRecord } from './context.js';
import { Loaders } from './db/loaders.js';
import { isPlaygroundRequest, servePlayground } from './playground/index.js';
import { type AwsRequest, type AwsResponse, errorResponse, isAwsRequest } from './aws/endpoint.js';
import { awsErrorOf } from './aws/errors.js';
import { serviceModels } from './aws/model/index.js';
import { METRICS_CONTENT_TYPE } from './metrics.js';
import { noteError, reportRequest, type RequestObserver, startRecord } from './request-log.js';

export interface HttpOptions {
  deps: Deps;
  apollo: ApolloServer<Context>;
  /** Whether to take traffic, and why not (src/server.ts decides; cheap enough for every /readyz). */
  readiness: () => Promise<Readiness>;
  /** The AWS Query protocol endpoint (src/aws/endpoint.ts), served at `/`. */
  aws: (request: AwsRequest, ctx: Context) => Promise<AwsResponse>;
  /** Told of each GraphQL and AWS request once answered (tracing: src/tracing.ts). */
  observer?: RequestObserver;
}

/** What /readyz answers: 200 `ready`, or 503 `unavailable` with the reason. */
export type Readiness = { ready: true } | { ready: false; reason: string };

/** Builds the request listener. */
export function createRequestListener({ deps, apollo, readiness, aws, observer }: HttpOptions): http.RequestListener {
  const { config, logger } = deps;
  /** Answers a GraphQL request; `search` is its URL's query string (a GET's operation). */
  const serveGraphQL = (req: http.IncomingMessage, res: http.ServerResponse, search: string): void => {
    const record = startRecord('graphql');
    readBody(req, config.maxBodyBytes)
      .then(async (bytes) => {
        const raw = bytes.toString('utf8');
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(req.headers)) {
          if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        const body = raw.length > 0 && /json/i.test(headers.get('content-type') ?? '') ? JSON.parse(raw) : raw || undefined;
        if (Array.isArray(body)) {
          record.errorCode = 'BAD_REQUEST';
          reportRequest(deps, record, 400, observer);
          return sendJson(res, 400, { errors: [{ message: 'Batched operations are not supported.', extensions: { code: 'BAD_REQUEST' } }] });
        }
        const response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method!, headers, search, body },
          context: () => buildContext(deps, req, record),
        });
        for (const [key, value] of response.headers) res.setHeader(key, value);
        res.statusCode = response.status ?? 200;
        reportRequest(deps, record, res.statusCode, observer);
        if (response.body.kind === 'complete') {
          res.end(response.body.string);
          return;
        }
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      })
      .catch((error: Error & { status?: number }) => {
        if (error.status === 413) {
          record.errorCode = 'PAYLOAD_TOO_LARGE';
          reportRequest(deps, record, 413, observer);
          return sendJson(res, 413, { errors: [{ message: `Request body larger than ${config.maxBodyBytes} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
        }
        if (error instanceof SyntaxError) {
          record.errorCode = 'BAD_REQUEST';
          reportRequest(deps, record, 400, observer);
          return sendJson(res, 400, { errors: [{ message: 'Malformed JSON body.', extensions: { code: 'BAD_REQUEST' } }] });
        }
        logger.error({ err: error, requestId: record.requestId }, 'request failed');
        record.errorCode = 'ServiceFailure';
        reportRequest(deps, record, 500, observer);
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'An internal error occurred.', extensions: { code: 'ServiceFailure' } }] });
        else res.end();
      });
  };
  /** Answers an AWS Query-protocol request (the AWS CLI's and SDKs'); errors are AWS's XML. */
  const serveAws = (req: http.IncomingMessage, res: http.ServerResponse, url: URL): void => {
    const record = startRecord('aws');
    const send = (answer: AwsResponse) => {
      reportRequest(deps, record, answer.status, observer);
      res.statusCode = answer.status;
      for (const [key, value] of Object.entries(answer.headers)) res.setHeader(key, value);
      // A known length: headers and body leave in one write, not as chunks.
      res.setHeader('content-length', Buffer.byteLength(answer.body));
      res.end(answer.body);
    };
    readBody(req, config.maxBodyBytes)
      .then(async (body) => {
        const ctx = await buildContext(deps, req, record);
        // A mutation's answer waits for this process's change feed, as on /graphql (the request plugin's willSendResponse).
        send(await aws({ method: req.method!, path: url.pathname, search: url.search, headers: req.headers, body }, ctx));
      })
      .catch((error: Error & { status?: number }) => {
        const namespace = serviceModels.iam.metadata.xmlNamespace;
        if (error.status === 413) {
          record.errorCode = 'RequestEntityTooLarge';
          return send(errorResponse(namespace, awsErrorOf('RequestEntityTooLarge', `Request body larger than ${config.maxBodyBytes} bytes.`), record.requestId));
        }
        logger.error({ err: error, requestId: record.requestId }, 'request failed');
        record.errorCode = 'ServiceFailure';
        if (!res.headersSent) send(errorResponse(namespace, awsErrorOf('ServiceFailure', 'An internal error occurred.'), record.requestId));
        else res.end();
      });
  };
  return (req, res) => {
    // The usual request, a POST to /graphql, goes straight on without parsing its URL.
    if (req.method === 'POST' && req.url === '/graphql') return serveGraphQL(req, res, '');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (isAwsRequest(req.method, url.pathname, req.headers['content-type'], url.search)) return serveAws(req, res, url);
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /healthz') return sendJson(res, 200, { status: 'ok' });
    if (route === 'GET /metrics') return serveMetricsToOperator(deps, req, res);
    if (route === 'GET /readyz') {
      readiness().then(
        (state) => (state.ready ? sendJson(res, 200, { status: 'ready' }) : sendJson(res, 503, { status: 'unavailable', reason: state.reason })),
        () => sendJson(res, 503, { status: 'unavailable', reason: 'readiness check failed' }),
      );
      return;
    }
    if (route === 'GET /.well-known/jwks.json') return sendJson(res, 200, { keys: deps.keys.publicKeys() }, 'public, max-age=300');
    if (route === 'GET /.well-known/openid-configuration') {
      return sendJson(res, 200, {
        issuer: config.issuer,
        jwks_uri: new URL('/.well-known/jwks.json', config.issuer).toString(),
        id_token_signing_alg_values_supported: ['ES256'],
        subject_types_supported: ['public'],
        response_types_supported: ['id_token'],
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'jti', 'account', 'principal_type', 'principal_id', 'mfa_auth_time', 'source_identity'],
      }, 'public, max-age=300');
    }
    if (isPlaygroundRequest(req, url)) return servePlayground(req, res, url);
    if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'Not found' });
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('Allow', 'GET, POST');
      return sendJson(res, 405, { error: 'Method not allowed' });
    }
    serveGraphQL(req, res, url.search);
  };
}

/**
 * The context starts unauthenticated: credentials are checked only once the
 * operation has parsed and validated (see `requestListener`), so a request
 * refused by a limit never touches the database.
 */
async function buildContext(deps: Deps, req: http.IncomingMessage, record: RequestRecord): Promise<Context> {
  const forwarded = deps.config.trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : undefined;
  return {
    // Time-ordered, like the event ids, and made without a random draw per request (src/audit/uuid7.ts).
    requestId: record.requestId,
    record,
    deps,
    db: deps.db,
    authorization: req.headers.authorization,
    principal: null,
    operator: false,
    authError: null,
    sourceIp: normaliseIp(forwarded || req.socket.remoteAddress || ''),
    userAgent: req.headers['user-agent'],
    secureTransport: deps.config.trustProxy ? req.headers['x-forwarded-proto'] === 'https' : false,
    loaders: new Loaders(),
    auditResources: new Map(),
    auditedReads: 0,
  };
}

/**
 * What every GraphQL request does beside executing, in one listener shared by all
 * requests (its hooks take everything from their arguments):
 *  - it authenticates once the operation is known to be valid;
 *  - a mutation's response leaves only once this process has applied, through its
 *    change feed, every change the mutation committed, so the caller's next request
 *    here sees a new policy epoch or a revocation (see ChangeFeed.sync).
 */
const requestListener: GraphQLRequestListener<Context> = {
  async didResolveOperation({ contextValue, document, operation, request }) {
    if (holdsNul(document, request.variables)) {
      throw new GraphQLError('1 validation error detected: a parameter holds a NUL character, which no parameter accepts.', {
        extensions: { code: 'ValidationError', http: { status: 400 } },
      });
    }
    const { record } = contextValue;
    // The AWS endpoint names its action before it runs the bound field.
    record.operations ??= operation ? rootFieldsOf(operation.selectionSet, document) : [];
    const auth = contextValue.authentication ?? (await authenticate(contextValue.deps, contextValue.authorization));
    contextValue.principal = record.principal = auth.principal;
    contextValue.operator = record.operator = auth.operator;
    contextValue.authError = auth.error;
  },
  async didEncounterErrors({ contextValue, errors }) {
    for (const error of errors) {
      const code = error.extensions?.code;
      noteError(contextValue.record, error.originalError ?? error, typeof code === 'string' ? code : undefined);
    }
  },
  async willSendResponse({ contextValue, operation }) {
    if (operation?.operation === 'mutation') await contextValue.deps.changeFeed?.sync();
  },
};

export const requestPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return requestListener;
  },
};

/** The names of the root fields an operation selects (fragments followed), in order, each once. */
function rootFieldsOf(selectionSet: SelectionSetNode, document: DocumentNode, into: string[] = []): string[] {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!into.includes(selection.name.value)) into.push(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      rootFieldsOf(selection.selectionSet, document, into);
    } else {
      const fragment = document.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment) rootFieldsOf(fragment.selectionSet, document, into);
    }
  }
  return into;
}

/**
 * GET /metrics on the service's own address: for the operator's bearer secret only, and
 * not at all when metrics have their own address (METRICS_ADDRESS) or there is no operator token.
 */
function serveMetricsToOperator(deps: Deps, req: http.IncomingMessage, res: http.ServerResponse): void {
  const { operatorToken, metricsAddress } = deps.config;
  if (metricsAddress !== undefined || operatorToken === undefined) return sendJson(res, 404, { error: 'Not found' });
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match || !isSameSecret(match[1]!, operatorToken)) {
    res.setHeader('www-authenticate', 'Bearer');
    return sendJson(res, 401, { error: 'The metrics are for the operator: send Authorization: Bearer <IAM_OPERATOR_TOKEN>.' });
  }
  serveMetrics(deps, res);
}

/** Answers the metrics in Prometheus's text format. */
export function serveMetrics(deps: Pick<Deps, 'metrics' | 'logger'>, res: http.ServerResponse): void {
  deps.metrics.text().then(
    (text) => {
      res.statusCode = 200;
      res.setHeader('content-type', METRICS_CONTENT_TYPE);
      res.setHeader('cache-control', 'no-store');
      res.end(text);
    },
    (error: unknown) => {
      deps.logger.error({ err: error }, 'metrics could not be collected');
      sendJson(res, 500, { error: 'The metrics could not be collected.' });
    },
  );
}

function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      return reject(Object.assign(new Error('too large'), { status: 413 }));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(Object.assign(new Error('too large'), { status: 413 }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, cacheControl = 'no-store'): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', cacheControl);
  res.end(JSON.stringify(body));
}
