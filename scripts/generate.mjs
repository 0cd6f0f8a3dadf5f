// Generates the Prisma client (src/generated/prisma), the GraphQL resolver types
// (src/generated/graphql.ts) and the tests' typed operations (test/generated/graphql.ts,
// from test/operations/*.graphql). `--if-stale` skips what is up to date.
// `prisma generate` never runs the schema engine, but looks for its binary first:
// PRISMA_SCHEMA_ENGINE_BINARY points it at any executable (see shared ENVIRONMENT notes).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hashOf, run } from './lib.mjs';

const ifStale = process.argv.includes('--if-stale');

mkdirSync('src/generated', { recursive: true });
const targets = [
  {
    name: 'Prisma client',
    stamp: 'src/generated/.prisma-stamp',
    output: 'src/generated/prisma/client.ts',
    sources: ['prisma/schema.prisma', 'package-lock.json'],
    generate: () => run('npx', ['--no-install', 'prisma', 'generate'], { PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' }),
  },
  {
    name: 'GraphQL resolver types and test operations',
    stamp: 'src/generated/.graphql-stamp',
    output: ['src/generated/graphql.ts', 'test/generated/graphql.ts'],
    sources: ['schema.graphql', 'codegen.ts', 'package-lock.json', ...readdirSync('test/operations').sort().map((file) => `test/operations/${file}`)],
    generate: () => run('npx', ['--no-install', 'graphql-codegen', '--config', 'codegen.ts', '--silent']),
  },
];
for (const target of targets) {
  const hash = hashOf(...target.sources);
  const fresh = [target.output].flat().every((output) => existsSync(output)) && existsSync(target.stamp) && readFileSync(target.stamp, 'utf8') === hash;
  if (ifStale && fresh) continue;
  console.log(`[generate] ${target.name}`);
  target.generate();
  writeFileSync(target.stamp, hash);
}
