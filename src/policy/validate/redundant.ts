// Which entries of an Action or Resource list another entry already covers: the
// shared core of the REDUNDANT_ACTION and REDUNDANT_RESOURCE suggestions.

/**
 * Indexes of entries made redundant by another entry: one that `covers` them, or an
 * earlier equal one (of two equal entries the later is redundant).
 */
export function findRedundant(values: readonly string[], covers: (wide: string, narrow: string) => boolean): number[] {
  const redundant: number[] = [];
  for (let i = 0; i < values.length; i++) {
    for (let j = 0; j < values.length; j++) {
      if (i === j) continue;
      const a = values[i]!;
      const b = values[j]!;
      if (a === b ? j < i : covers(b, a)) {
        redundant.push(i);
        break;
      }
    }
  }
  return redundant;
}
