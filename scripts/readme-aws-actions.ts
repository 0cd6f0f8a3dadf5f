// Writes the supported AWS actions into README.md between its aws-actions markers.
// Run with `npm run docs:aws-actions` after adding a GraphQL field that implements an AWS action.
import { readFileSync, writeFileSync } from 'node:fs';
import { supportedActionsMarkdown } from '../src/aws/supported-actions.js';
import { buildExecutableSchema } from '../src/graphql/schema.js';

const START = '<!-- aws-actions:start -->';
const END = '<!-- aws-actions:end -->';
const readme = readFileSync('README.md', 'utf8');
const [before, rest] = readme.split(START);
const after = rest?.split(END)[1];
if (before === undefined || after === undefined) throw new Error(`README.md has no ${START} … ${END} block`);
writeFileSync('README.md', `${before}${START}\n${supportedActionsMarkdown(buildExecutableSchema())}\n${END}${after}`);
