// Date condition operators. Values are ISO 8601 dates/times or epoch seconds, on
// either side; a date-time without a zone is read as UTC. A context value that is
// not a date matches nothing. (@cloud-copilot/iam-simulate does not compare an ISO
// policy date with an epoch context value; the page allows either form on each side.)
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date

import { defineMatcher, type ConditionMatcher } from './matcher.js';
import { conditionOperators, type BaseOperator } from './operator-name.js';

const EPOCH = /^-?\d+(\.\d+)?$/;
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Milliseconds since the epoch for an ISO 8601 date or epoch-seconds value; `undefined` otherwise. */
export function parseDate(value: string): number | undefined {
  const text = value.trim();
  if (EPOCH.test(text)) return Number(text) * 1000;
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  // Date.parse would roll 24:00 or day 31 of a short month over; IAM refuses such values.
  if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +h > 23 || +mi > 59 || +s > 59) return undefined;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}

type Compare = (context: number, policy: number) => boolean;

const comparisons: Readonly<Record<string, Compare>> = Object.freeze({
  DateEquals: (c, p) => c === p,
  DateNotEquals: (c, p) => c === p,
  DateLessThan: (c, p) => c < p,
  DateLessThanEquals: (c, p) => c <= p,
  DateGreaterThan: (c, p) => c > p,
  DateGreaterThanEquals: (c, p) => c >= p,
});

/** The matcher of one Date* operator; the context value is the left operand. */
export const date = (name: keyof typeof comparisons & string): ConditionMatcher<number, number> =>
  defineMatcher({
    operator: conditionOperators[name] as BaseOperator,
    compileValue: parseDate,
    prepareContextValue: parseDate,
    test: comparisons[name] as Compare,
  });
