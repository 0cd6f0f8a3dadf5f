// Generates the Prisma client (src/generated/prisma), the GraphQL resolver types
// (src/generated/graphql.ts) and the tests' typed operations (test/generated/graphql.ts,
// from test/operations/*.graphql). `--if-stale` skips what is up to date.
// `prisma generate` never runs the schema engine, but looks for its binary first:
// PRISMA_SCHEMA_ENGINE_BINARY points it at any executable (see shared ENVIRONMENT notes).
// The client it writes is then changed in one place (`readQueryCompilerFromText`), every run.
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
readQueryCompilerFromText('src/generated/prisma/internal/class.ts');

/**
 * The Prisma client loads its query compiler (WebAssembly) by importing a module that
 * holds it as one base64 string, 4.4 MB: an imported module stays for the life of the
 * process, and V8 keeps both its source text and the string, 9 MiB of the idle heap
 * (issue 21). The client is changed to read that module's text and decode the string
 * from it instead, so that both are garbage once the compiler is compiled. Idempotent;
 * if a Prisma release writes something else, the client is left as it is, with a warning.
 */
function readQueryCompilerFromText(file) {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const imported = /const \{ wasm \} = await import\(("[^"]+\.wasm-base64\.mjs")\)\n(\s*)return await decodeBase64AsWasm\(wasm\)/;
  const match = imported.exec(text);
  if (!match) {
    if (!text.includes('open-iam: read, not imported')) console.warn(`[generate] ${file}: the query compiler's loader is not the one expected; left as Prisma wrote it`);
    return;
  }
  const [, specifier, indent] = match;
  const read = [
    `// open-iam: read, not imported (scripts/generate.mjs, readQueryCompilerFromText).`,
    `const { readFile } = await import('node:fs/promises')`,
    `const { createRequire } = await import('node:module')`,
    `const source = await readFile(createRequire(import.meta.url).resolve(${specifier}), 'latin1')`,
    `const start = source.indexOf('"'), end = source.lastIndexOf('"')`,
    `if (start < 0 || end <= start) return await decodeBase64AsWasm((await import(${specifier})).wasm)`,
    `return await decodeBase64AsWasm(source.slice(start + 1, end))`,
  ].join(`\n${indent}`);
  writeFileSync(file, text.replace(imported, read));
  console.log(`[generate] ${file}: the query compiler is read from its module's text`);
}
