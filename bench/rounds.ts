// What the HTTP benchmarks share to run cases in rounds and summarise them: a fresh random
// order each round, and the median with its bootstrap interval.

/** A copy of `items` in random order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * A 90% interval for the median of `values`, by the percentile bootstrap: how far the
 * rounds' noise alone could have moved it.
 */
export function medianInterval(values: number[], resamples = 2000): [number, number] {
  const medians = Array.from({ length: resamples }, () => median(values.map(() => values[Math.floor(Math.random() * values.length)]!))).sort((a, b) => a - b);
  return [medians[Math.floor(resamples * 0.05)]!, medians[Math.ceil(resamples * 0.95) - 1]!];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
