// README's list of supported AWS actions is the one the endpoint's bindings make.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { supportedActionsMarkdown } from '../src/aws/supported-actions.js';
import { buildExecutableSchema } from '../src/graphql/schema.js';

it('README lists exactly the AWS actions the endpoint answers (npm run docs:aws-actions rewrites it)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const listed = /<!-- aws-actions:start -->\n([\s\S]*?)\n<!-- aws-actions:end -->/.exec(readme)?.[1];
  expect(listed).toBe(supportedActionsMarkdown(buildExecutableSchema()));
});
