// Timing primitives for the policy benchmark: bounded throughput and per-call
// latency measurement of a `decide` function cycled over a fixed request list.

/** What one measured subject reports. */
export interface Measurement {
  /** The fastest round's rate. */
  decisionsPerSecond: number;
  /** The slowest round's rate: with the fastest, the spread over the rounds. */
  slowestDecisionsPerSecond: number;
  p50Micros: number;
  p99Micros: number;
  latencySamples: number;
  throughputCalls: number;
}

export interface MeasureOptions {
  /** Wall-clock budget for one throughput round, in ms. */
  roundMillis: number;
  rounds: number;
  /** Wall-clock budget for the latency samples, in ms. */
  latencyMillis: number;
  /** Caps, so a fast subject does not build a huge sample array. */
  maxCallsPerRound: number;
  maxLatencySamples: number;
}

const now = process.hrtime.bigint;

/** Keeps results observable so the JIT cannot drop the calls being measured. */
let sink = 0;
export const consumedSink = (): number => sink;

/** CPU time (user + system) this process has used, in ns. */
function cpuNanos(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/**
 * Runs `calls` decisions starting at input `offset`, wrapping round; returns the
 * CPU time they took in ns. CPU time, not wall time: on a shared machine (CI, or
 * two cores shared with other work) wall time also counts the time this process
 * waited for a core; CPU time counts only work done, GC threads included.
 */
function runCalls<T>(decide: (input: T) => string, inputs: readonly T[], calls: number, offset = 0): number {
  let allowed = 0;
  const start = cpuNanos();
  for (let i = 0, j = offset % inputs.length; i < calls; i++) {
    if (decide(inputs[j]!) === 'allowed') allowed++;
    if (++j === inputs.length) j = 0;
  }
  const elapsed = cpuNanos() - start;
  sink += allowed;
  return elapsed;
}

/** Per-call cost estimate (ns) from a short calibration run, used to size the measured runs. */
function calibrate<T>(decide: (input: T) => string, inputs: readonly T[]): number {
  let calls = 1;
  for (;;) {
    const ns = runCalls(decide, inputs, calls);
    if (ns > 20e6 || calls >= 1 << 20) return ns / calls;
    calls *= 4;
  }
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/**
 * Throughput: `rounds` rounds of back-to-back calls, each sized to `roundMillis`
 * of CPU time; the fastest round's rate is reported (cache and scheduler
 * interference from other processes only ever slows a round down; GC, which
 * belongs to the subject, happens in every round). Latency: each call timed alone with
 * `process.hrtime.bigint()` (whose own cost, ~30 ns here, is included; see `timerOverheadNanos`).
 */
export function measure<T>(decide: (input: T) => string, inputs: readonly T[], options: MeasureOptions): Measurement {
  const estimate = calibrate(decide, inputs);
  // A slow subject (Cedar) runs fewer calls than there are inputs; successive rounds
  // then start where the last one stopped, so together they still walk the mix.
  const calls = Math.max(1, Math.min(options.maxCallsPerRound, Math.round((options.roundMillis * 1e6) / estimate)));
  const rates: number[] = [];
  for (let r = 0; r < options.rounds; r++) rates.push((calls / Math.max(1, runCalls(decide, inputs, calls, r * calls))) * 1e9);
  rates.sort((a, b) => a - b);

  const n = Math.max(100, Math.min(options.maxLatencySamples, Math.round((options.latencyMillis * 1e6) / estimate)));
  const samples = new Float64Array(n);
  let allowed = 0;
  for (let i = 0, j = 0; i < n; i++) {
    const start = now();
    const decision = decide(inputs[j]!);
    samples[i] = Number(now() - start);
    if (decision === 'allowed') allowed++;
    if (++j === inputs.length) j = 0;
  }
  sink += allowed;
  samples.sort();
  return {
    decisionsPerSecond: rates[rates.length - 1]!,
    slowestDecisionsPerSecond: rates[0]!,
    p50Micros: percentile(samples, 0.5) / 1000,
    p99Micros: percentile(samples, 0.99) / 1000,
    latencySamples: n,
    throughputCalls: calls,
  };
}

/** Median cost of the timer pair that brackets each latency sample, in ns. */
export function timerOverheadNanos(): number {
  const samples = new Float64Array(100_000);
  for (let i = 0; i < samples.length; i++) {
    const start = now();
    samples[i] = Number(now() - start);
  }
  samples.sort();
  return percentile(samples, 0.5);
}
