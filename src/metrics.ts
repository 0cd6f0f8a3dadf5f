// The service's metrics, in Prometheus's text format (served at /metrics, src/http.ts).
// prom-client keeps what is counted off the hot path (sign-ins, password-hash waits,
// audit flushes) and what is read when scraped (queues, caches, pools, the process's
// event-loop lag and heap). The two series every request touches, its latency and its
// authorization decisions, are kept here by hand: prom-client's histogram costs about
// 3.5 µs an observation (it turns each bucket's bound into a property name every time),
// a request's share of this one well under a tenth of that.
// https://prometheus.io/docs/instrumenting/exposition_formats/
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EvaluationResult } from './policy/index.js';

/** An authorization decision: the policy engine's three outcomes. */
export type Decision = EvaluationResult['decision'];

/** How a request reached us. */
export type Protocol = 'graphql' | 'aws';

/** A cache's counters, read when metrics are scraped. */
export interface CacheStats {
  readonly size: number;
  readonly hits: number;
  readonly misses: number;
}

/**
 * A cache that releases what no request used for a while: src/service-metrics.ts sweeps
 * each one on one timer, with the idle time of the configuration (IAM_CACHE_IDLE_SECONDS).
 */
export interface IdleCache extends CacheStats {
  /** Releases the entries not used since `now - idleMs` (epoch ms) and those expired at `now`; answers how many went. */
  sweep(now: number, idleMs: number): number;
}

/**
 * Deletes from `entries` those last used at or before `now - idleMs` (epoch ms), and those
 * `expired` says are; answers how many went. The one loop every IdleCache's sweep runs.
 */
export function releaseIdle<K, V extends { usedAt: number }>(entries: Map<K, V>, now: number, idleMs: number, expired?: (entry: V) => boolean): number {
  const before = entries.size;
  for (const [key, entry] of entries) if (now - entry.usedAt >= idleMs || expired?.(entry)) entries.delete(key);
  return before - entries.size;
}

/** Upper bounds of the request-latency buckets, seconds (+Inf is implied). */
const LATENCY_BUCKETS = Object.freeze([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

interface Series {
  protocol: Protocol;
  operation: string;
  outcome: string;
  /** Observations per bucket (not cumulative), the last one +Inf's own. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * Request latency by protocol, operation and outcome. Labels are bounded by the
 * caller: an operation is a schema field or an AWS action (or `(none)`, `(multiple)`),
 * an outcome `ok` or one of our error codes; nothing a client chooses freely.
 */
export class RequestHistogram {
  private readonly series = new Map<string, Series>();

  /** Counts one request that took `seconds`. */
  observe(protocol: Protocol, operation: string, outcome: string, seconds: number): void {
    const key = `${protocol} ${operation} ${outcome}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = { protocol, operation, outcome, buckets: new Float64Array(LATENCY_BUCKETS.length + 1), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]!) bucket++;
    series.buckets[bucket]!++;
    series.sum += seconds;
    series.count++;
  }

  /** The requests counted so far for these labels (tests and the benchmark read it). */
  count(protocol: Protocol, operation: string, outcome: string): number {
    return this.series.get(`${protocol} ${operation} ${outcome}`)?.count ?? 0;
  }

  /** The exposition of `name`: one histogram, its buckets cumulative as the format wants. */
  text(name: string): string {
    const lines = [`# HELP ${name} Requests served over GraphQL and the AWS Query protocol, by operation and outcome, and how long they took.`, `# TYPE ${name} histogram`];
    for (const s of this.series.values()) {
      const labels = `protocol="${escapeLabel(s.protocol)}",operation="${escapeLabel(s.operation)}",outcome="${escapeLabel(s.outcome)}"`;
      let cumulative = 0;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        cumulative += s.buckets[i]!;
        lines.push(`${name}_bucket{${labels},le="${LATENCY_BUCKETS[i]}"} ${cumulative}`);
      }
      lines.push(`${name}_bucket{${labels},le="+Inf"} ${s.count}`, `${name}_sum{${labels}} ${s.sum}`, `${name}_count{${labels}} ${s.count}`);
    }
    return lines.join('\n');
  }
}

/** Authorization decisions by outcome, counted as plain numbers. */
export class DecisionCounter {
  private readonly counts: Record<Decision, number> = { allowed: 0, explicitDeny: 0, implicitDeny: 0 };

  count(decision: Decision): void {
    this.counts[decision]++;
  }

  get(decision: Decision): number {
    return this.counts[decision];
  }

  text(name: string): string {
    return [
      `# HELP ${name} Authorization decisions made to let a request through or refuse it: allowed, explicitDeny (a Deny statement matched), implicitDeny (no Allow did).`,
      `# TYPE ${name} counter`,
      ...Object.entries(this.counts).map(([decision, value]) => `${name}{decision="${decision}"} ${value}`),
    ].join('\n');
  }
}

/** Label values are quoted: backslash, double quote and newline escaped. */
function escapeLabel(value: string): string {
  return /["\\\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** What a metric read when scraped answers: one value, or one per label set. */
export type Reading = number | ReadonlyArray<readonly [Record<string, string>, number]>;

/** The metrics of one running service. */
export class Metrics {
  /** prom-client's registry of this service's metrics (the process's own are shared, see `processRegistry`). */
  readonly registry = new Registry();
  readonly requests = new RequestHistogram();
  readonly decisions = new DecisionCounter();
  /** Console sign-ins by outcome: success, failure (wrong credentials or MFA code), throttled, error. */
  readonly signIns = new Counter({ name: 'iam_sign_ins_total', help: 'Console sign-ins by outcome: success, failure (credentials or MFA code refused), throttled (refused before any password was checked), error.', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly passwordHashWait = new Histogram({ name: 'iam_password_hash_wait_seconds', help: 'Time a password hash or verification waited for a turn in the hash pool.', buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry] });
  readonly auditFlushLag = new Histogram({ name: 'iam_audit_flush_lag_seconds', help: 'Age of the oldest read event of a batch when the batch was written (time from a successful read to its audit row).', buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10], registers: [this.registry] });
  readonly auditFlushFailures = new Counter({ name: 'iam_audit_flush_failures_total', help: 'Batches of read events Postgres refused (logged and dropped).', registers: [this.registry] });

  /** A gauge read when scraped. */
  gauge(name: string, help: string, labelNames: readonly string[], read: () => Reading): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        setReading(this, read());
      },
    });
  }

  /** A counter whose total is kept elsewhere (a cache's hits) and read when scraped. */
  counter(name: string, help: string, labelNames: readonly string[], read: () => Reading): void {
    new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        const reading = read();
        if (typeof reading === 'number') this.inc(reading);
        else for (const [labels, value] of reading) this.inc(labels, value);
      },
    });
  }

  /** The whole exposition: the process's metrics, then this service's. */
  async text(): Promise<string> {
    const [processText, serviceText] = await Promise.all([processRegistry().metrics(), this.registry.metrics()]);
    return `${processText}\n${serviceText}\n${this.requests.text('iam_request_duration_seconds')}\n\n${this.decisions.text('iam_authorization_decisions_total')}\n`;
  }
}

function setReading(gauge: Gauge, reading: Reading): void {
  gauge.reset();
  if (typeof reading === 'number') gauge.set(reading);
  else for (const [labels, value] of reading) gauge.set(labels, value);
}

let processMetrics: Registry | undefined;

/**
 * The process's own metrics (event-loop lag, heap, GC, CPU, file descriptors): one
 * registry per process, made on first use, however many services it runs (the tests
 * and the benchmark run several), since they describe the process and sample it on timers.
 */
export function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/** The content type of `Metrics.text()`. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
