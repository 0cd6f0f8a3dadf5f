// Reads a Condition block into flat `{ operator, key, values }` entries, with
// values normalised to strings, and rejects unknown operators and values IAM
// cannot parse (a Date operator with a value that is not a date).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html (condition_block)

import { parseOperatorName } from './conditions/operator-name.js';
import type { PolicyPath } from './errors.js';
import type { JsonNode } from './json.js';
import { messages, type ParseContext } from './parse-context.js';
import type { ConditionEntry } from './types.js';
import { parseDate } from './conditions/date.js';

/**
 * `{ "<operator>": { "<key>": <value or values> } }` → one entry per operator/key
 * pair, in document order. A value is a string, number or boolean, or an array
 * of them; numbers keep their written form (`1.50` stays `"1.50"`).
 */
export function readCondition(ctx: ParseContext, node: JsonNode, path: PolicyPath): ConditionEntry[] {
  if (node.kind !== 'object') throw ctx.error(messages.syntax, path, node, 'Condition must be an object');
  const out: ConditionEntry[] = [];
  for (const opEntry of node.entries) {
    // Paths are built only when reporting an error.
    const opPath = () => [...path, opEntry.key];
    const operator = parseOperatorName(opEntry.key);
    if (!operator) throw ctx.error(messages.syntax, opPath(), opEntry.keyStart, `unknown condition operator "${opEntry.key}"`);
    const block = opEntry.value;
    if (block.kind !== 'object') throw ctx.error(messages.syntax, opPath(), block, `the ${opEntry.key} block must be an object`);
    for (const keyEntry of block.entries) {
      const keyPath = () => [...path, opEntry.key, keyEntry.key];
      if (!keyEntry.key.includes(':')) throw ctx.error(messages.actionNeedsVendor, keyPath(), keyEntry.keyStart, `condition key "${keyEntry.key}" has no service prefix`);
      const values = readConditionValues(ctx, keyEntry.value, keyPath);
      if (operator.valueType === 'date') {
        for (let i = 0; i < values.length; i++) {
          if (!isDateConditionValue(values[i] as string)) {
            const at = keyEntry.value.kind === 'array' ? keyEntry.value.items[i] : keyEntry.value;
            throw ctx.error(messages.legacy, keyPath(), at, `"${values[i]}" is not a date for ${opEntry.key}`);
          }
        }
      }
      out.push({ operator: opEntry.key, key: keyEntry.key, values });
    }
  }
  return out;
}

function readConditionValues(ctx: ParseContext, node: JsonNode, path: () => PolicyPath): string[] {
  if (node.kind === 'array') {
    const values: string[] = new Array(node.items.length);
    for (let i = 0; i < node.items.length; i++) values[i] = scalarValue(ctx, node.items[i] as JsonNode, () => [...path(), i]);
    return values;
  }
  return [scalarValue(ctx, node, path)];
}

function scalarValue(ctx: ParseContext, node: JsonNode, path: () => PolicyPath): string {
  switch (node.kind) {
    case 'string':
      return node.value;
    case 'number':
      return node.raw;
    case 'boolean':
      return node.value ? 'true' : 'false';
    default:
      throw ctx.error(messages.syntax, path(), node, 'a condition value must be a string, number or boolean');
  }
}

const MAX_EPOCH = 9223372036854775807n;

/**
 * True when IAM can read `value` as a date: an ISO 8601 date or date-time
 * (`2020-01-01`, `2020-01-01T00:00:00Z`, `2020-01-01T10:00:00+01:00`) or a
 * non-negative epoch time in seconds. One grammar with the evaluator (`parseDate`):
 * a value accepted here is one a Date* condition can compare.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
 */
export function isDateConditionValue(value: string): boolean {
  if (/^\d+$/.test(value)) return BigInt(value) <= MAX_EPOCH;
  return !value.startsWith('-') && parseDate(value) !== undefined;
}
