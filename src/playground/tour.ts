// The guided tour (docs/tour.md) as data: a parser for its steps and a runner
// that executes them in order. The tour test, the demo seed (scripts/demo.ts)
// and the playground's example list all read the document through this module,
// so the document cannot drift from the code.
//
// Format of a step (one `##` heading each; sections without a ```graphql block are prose):
//
//   ## 3. Create the user alice
//   <!-- as: root -->                                  whose token: anonymous | operator | <capture name>
//   <!-- capture: aliceArn = data.createUser.user.arn --> value from the response kept for later steps
//   <!-- expect: data.x.y = "json value" -->            asserted on the response ({{placeholders}} allowed)
//   ```sh            the AWS CLI command it replaces
//   ```graphql       the operation
//   ```json          the variables; "{{name}}" placeholders are replaced by captured values
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TOUR_PATH = fileURLToPath(new URL('../../docs/tour.md', import.meta.url));

export interface TourStep {
  /** The heading text, e.g. "3. Create the user alice". */
  title: string;
  /** Whose token the operation runs with: `anonymous`, `operator` or a captured token's name. */
  as: string;
  /** The AWS CLI command(s) the step replaces. */
  cli: string;
  query: string;
  /** The variables' JSON text, with `{{name}}` placeholders. */
  variables: string;
  captures: Array<{ name: string; path: string }>;
  expects: Array<{ path: string; value: string }>;
}

export interface TourResponse {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** Sends one operation with an optional bearer token. */
export type TourSend = (query: string, variables: Record<string, unknown>, token: string | undefined) => Promise<TourResponse>;

export function readTour(path = TOUR_PATH): TourStep[] {
  return parseTour(readFileSync(path, 'utf8'));
}

/** Parses the tour's markdown into its executable steps, in document order. */
export function parseTour(markdown: string): TourStep[] {
  const steps: TourStep[] = [];
  const sections = markdown.split(/^## /m).slice(1);
  for (const section of sections) {
    const title = section.slice(0, section.indexOf('\n')).trim();
    const blocks = new Map<string, string[]>();
    for (const match of section.matchAll(/^```(\w+)[^\n]*\n([\s\S]*?)^```\s*$/gm)) {
      const lang = match[1]!;
      blocks.set(lang, [...(blocks.get(lang) ?? []), match[2]!.trimEnd()]);
    }
    const graphql = blocks.get('graphql');
    if (!graphql) continue;
    if (graphql.length !== 1) throw new Error(`Tour step "${title}" has ${graphql.length} graphql blocks; one is expected.`);
    const json = blocks.get('json') ?? [];
    if (json.length > 1) throw new Error(`Tour step "${title}" has more than one json block.`);
    const markers = [...section.matchAll(/<!--\s*(as|capture|expect):\s*([\s\S]*?)\s*-->/g)];
    const asMarkers = markers.filter((m) => m[1] === 'as');
    if (asMarkers.length !== 1) throw new Error(`Tour step "${title}" needs exactly one <!-- as: ... --> marker.`);
    const step: TourStep = {
      title,
      as: asMarkers[0]![2]!,
      cli: (blocks.get('sh') ?? []).join('\n'),
      query: graphql[0]!,
      variables: json[0] ?? '{}',
      captures: [],
      expects: [],
    };
    for (const [, kind, body] of markers) {
      if (kind === 'as') continue;
      const eq = body!.indexOf('=');
      if (eq < 0) throw new Error(`Tour step "${title}": marker "${kind}: ${body}" needs "name = value".`);
      const left = body!.slice(0, eq).trim();
      const right = body!.slice(eq + 1).trim();
      if (kind === 'capture') step.captures.push({ name: left, path: right });
      else step.expects.push({ path: left, value: right });
    }
    if (!step.cli) throw new Error(`Tour step "${title}" has no sh block with the AWS CLI equivalent.`);
    steps.push(step);
  }
  return steps;
}

/** Replaces `{{name}}` in JSON text by the captured value, escaped for a JSON string. */
export function fillPlaceholders(text: string, values: Record<string, string>, strict = true): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      if (strict) throw new Error(`No captured value for {{${name}}}.`);
      return whole;
    }
    return JSON.stringify(value).slice(1, -1);
  });
}

/** Reads `data.a.b[0].c` (or `data.a.b.0.c`) from a response. */
export function readPath(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const key of path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export interface StepOutcome {
  response: TourResponse;
  /** Human-readable failures: errors in the response, unmet expectations, missing captures. */
  failures: string[];
}

/**
 * Runs one step: fills its variables from `values`, sends it with the token it
 * names, checks its expectations and stores its captures into `values`.
 */
export async function runStep(step: TourStep, values: Record<string, string>, send: TourSend): Promise<StepOutcome> {
  let token: string | undefined;
  if (step.as === 'operator') token = values.operatorToken;
  else if (step.as !== 'anonymous') {
    token = values[step.as];
    if (!token) throw new Error(`Tour step "${step.title}" runs as "${step.as}", which no earlier step captured.`);
  }
  const variables = JSON.parse(fillPlaceholders(step.variables, values)) as Record<string, unknown>;
  const response = await send(step.query, variables, token);
  const failures: string[] = [];
  if (response.errors?.length) failures.push(`errors: ${JSON.stringify(response.errors)}`);
  for (const expectation of step.expects) {
    const expected: unknown = JSON.parse(fillPlaceholders(expectation.value, values));
    const actual = readPath(response, expectation.path);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      failures.push(`${expectation.path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
  }
  for (const capture of step.captures) {
    const value = readPath(response, capture.path);
    if (typeof value !== 'string') failures.push(`capture ${capture.name}: ${capture.path} is ${JSON.stringify(value)}`);
    else values[capture.name] = value;
  }
  return { response, failures };
}

/** An HTTP sender for `runStep`. */
export function httpSender(url: string): TourSend {
  return async (query, variables, token) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as TourResponse;
  };
}
