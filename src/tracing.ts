// OpenTelemetry traces, started by main.ts only when OTEL_EXPORTER_OTLP_ENDPOINT is set
// (without it this module and the SDK are never loaded). main.ts starts it before it
// imports anything that loads http, pg or graphql, so that their instrumentations hook
// them as they load (ESM through import-in-the-middle's loader hook, CommonJS through
// require). Each request's HTTP span gets the request's facts (src/request-log.ts):
// operations, caller, account, authorization decision and outcome; GraphQL's and pg's
// spans sit beneath it. Spans leave over OTLP/HTTP (JSON) to `<endpoint>/v1/traces`.
// https://opentelemetry.io/docs/languages/js/getting-started/nodejs/
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import type { Config } from './config.js';
import type { RequestObserver } from './request-log.js';

export interface Tracing {
  /** Sets a finished request's facts on its span (the HTTP server span, active while it is answered). */
  observer: RequestObserver;
  /** Sends the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

/** Paths whose requests are not traced: probes and scrapes, which would drown the rest. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

/** Registers the loader hook and the instrumentations, and starts the SDK. */
export async function startTracing(config: Pick<Config, 'otlpEndpoint' | 'otelServiceName'>): Promise<Tracing> {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const [{ trace }, { NodeSDK }, { OTLPTraceExporter }, { HttpInstrumentation }, { GraphQLInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-graphql'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const endpoint = config.otlpEndpoint!.replace(/\/*$/, '/');
  const sdk = new NodeSDK({
    serviceName: config.otelServiceName,
    traceExporter: new OTLPTraceExporter({ url: new URL('v1/traces', endpoint).toString() }),
    // Traces only: metrics are /metrics's (src/metrics.ts), logs are pino's on stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED.has((request.url ?? '').split('?')[0]!), ignoreOutgoingRequestHook: () => true }),
      // No variable values on spans (they may hold passwords), and no span per trivial field.
      new GraphQLInstrumentation({ allowValues: false, ignoreTrivialResolveSpans: true }),
      // Statements are recorded with their placeholders, never their values.
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  return {
    observer(report) {
      const span = trace.getActiveSpan();
      if (!span) return;
      span.setAttributes({
        'iam.request_id': report.requestId,
        'iam.protocol': report.protocol,
        'iam.operations': [...report.operations],
        'iam.outcome': report.outcome,
        'iam.operator': report.operator,
        ...(report.principal ? { 'iam.principal': report.principal } : {}),
        ...(report.account ? { 'iam.account': report.account } : {}),
        ...(report.decision ? { 'iam.decision': report.decision } : {}),
      });
    },
    shutdown: () => sdk.shutdown(),
  };
}
