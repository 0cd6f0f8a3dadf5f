// Policy variable checks: `${...}` placeholders that are malformed, used in an
// element or policy version that does not substitute them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

import type { Statement } from '../types.js';
import type { CheckContext } from './context.js';

/** Elements whose values are never substituted. */
const UNSUPPORTED_ELEMENTS = [
  ['Action', 'action'],
  ['NotAction', 'notAction'],
] as const;
const KEY_CHARS = /^[A-Za-z0-9:_./@=+-]+$/;

/** Runs the variable checks on every statement. */
export function checkVariables(ctx: CheckContext): void {
  let versionReported = false;
  for (const statement of ctx.doc.statements) {
    for (const [element, field] of UNSUPPORTED_ELEMENTS) {
      statement[field]?.forEach((value, i) => {
        if (value.includes('${')) {
          ctx.report('ERROR', 'VARIABLE_UNSUPPORTED_IN_ELEMENT', `Policy variables are not supported in the ${element} element. Remove the variable from ${value}.`, ctx.valuePath(statement.index, element, i));
        }
      });
    }
    if (statement.sid?.includes('${')) {
      ctx.report('ERROR', 'VARIABLE_UNSUPPORTED_IN_ELEMENT', 'Policy variables are not supported in the Sid element.', ctx.statementPath(statement.index, 'Sid'));
    }
    for (const [value, path] of substitutedValues(ctx, statement)) {
      if (!value.includes('${')) continue;
      const problem = variableSyntaxProblem(value);
      if (problem) ctx.report('ERROR', problem.code, problem.details, path);
      else if (ctx.doc.version !== '2012-10-17' && !versionReported) {
        versionReported = true;
        const version = ctx.doc.version ? `version ${ctx.doc.version}` : 'a policy without a Version element (read as version 2008-10-17)';
        ctx.report('ERROR', 'VARIABLE_UNSUPPORTED_IN_VERSION', `Policy variables are not supported in ${version}; ${value} is read literally. Set "Version": "2012-10-17".`, ctx.doc.version ? ['Version'] : path);
      }
    }
  }
}

/** The values a policy variable may appear in, with their paths. */
function* substitutedValues(ctx: CheckContext, statement: Statement): Generator<[string, Array<string | number>]> {
  for (const [element, values] of [['Resource', statement.resource], ['NotResource', statement.notResource]] as const) {
    if (values) for (let i = 0; i < values.length; i++) yield [values[i] as string, ctx.valuePath(statement.index, element, i)];
  }
  for (const entry of statement.condition) {
    for (let i = 0; i < entry.values.length; i++) yield [entry.values[i] as string, ctx.conditionValuePath(statement.index, entry.operator, entry.key, i)];
  }
}

/**
 * What is wrong with the `${...}` placeholders of a value, if anything:
 * `${key}`, `${key, 'default'}` and the escapes `${*}`, `${?}`, `${$}` are valid.
 */
export function variableSyntaxProblem(value: string): { code: string; details: string } | undefined {
  let from = 0;
  for (;;) {
    const start = value.indexOf('${', from);
    if (start === -1) return undefined;
    const end = value.indexOf('}', start + 2);
    if (end === -1) return { code: 'MISSING_BRACE_IN_VARIABLE', details: `The policy variable in ${value} has no closing brace. Add } to the end of the variable.` };
    const inner = value.slice(start + 2, end);
    from = end + 1;
    if (inner === '*' || inner === '?' || inner === '$') continue;
    if (inner.trim() === '') return { code: 'EMPTY_VARIABLE', details: `The policy variable \${${inner}} in ${value} is empty. Add a condition key such as aws:username.` };
    const comma = inner.indexOf(',');
    const key = comma === -1 ? inner : inner.slice(0, comma);
    if (/\s/.test(key)) return { code: 'UNSUPPORTED_SPACE_IN_VARIABLE', details: `The policy variable \${${inner}} contains a space. Remove the spaces from the variable name.` };
    if (!KEY_CHARS.test(key)) return { code: 'UNSUPPORTED_SYMBOL_IN_VARIABLE', details: `The policy variable \${${inner}} contains an unsupported character. Use a condition key name.` };
    if (comma !== -1) {
      const fallback = inner.slice(comma + 1).trim();
      if (fallback.length < 2 || !fallback.startsWith("'") || !fallback.endsWith("'")) {
        return { code: 'MISSING_QUOTE_IN_VARIABLE', details: `The default value of the policy variable \${${inner}} must be in single quotes, for example \${${key}, 'default'}.` };
      }
    }
  }
}
