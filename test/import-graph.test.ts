// The architecture, checked: every import in src/ points down the layer order
// that README's "Architecture" section states, and no file imports itself back.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkImportGraph, importsOf, readImportGraph, type ImportEdge, type Layers } from './support/import-graph.js';

/** The layers of src/, lowest first (README, "Architecture"). */
const LAYERS: Layers = [
  ['policy'],
  ['errors.ts'],
  ['log.ts'],
  ['config.ts'],
  ['clock.ts'],
  ['metrics.ts'],
  ['crypto'],
  ['db', 'generated/prisma'],
  ['iam'],
  ['sessions'],
  ['audit'],
  ['auth'],
  ['sts'],
  ['context.ts'],
  ['graphql', 'generated/graphql.ts'],
  ['aws'],
  ['playground'],
  ['request-log.ts', 'service-metrics.ts'],
  ['http.ts'],
  ['server.ts'],
  ['tracing.ts'],
  ['main.ts'],
];

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

describe('the import graph of src/', () => {
  const edges = readImportGraph(SRC);

  it('reads the imports of the tree', () => {
    expect(edges.length).toBeGreaterThan(400);
    expect(edges).toContainEqual({ from: 'server.ts', to: 'context.ts' });
  });

  it('places every file in a layer, imports only downward and has no cycle', () => {
    expect(checkImportGraph(edges, LAYERS)).toEqual({ upward: [], unplaced: [], cycles: [] });
  });

  it('keeps the policy engine free of the application', () => {
    expect(edges.filter((edge) => edge.from.startsWith('policy/') && !edge.to.startsWith('policy/'))).toEqual([]);
  });
});

describe('the checker itself', () => {
  const layers: Layers = [['low'], ['mid'], ['high.ts']];
  const edge = (from: string, to: string): ImportEdge => ({ from, to });

  it.each([
    { name: 'accepts imports downward and within a layer', edges: [edge('high.ts', 'mid/a.ts'), edge('mid/a.ts', 'mid/b.ts'), edge('mid/b.ts', 'low/x.ts')], expected: { upward: [], unplaced: [], cycles: [] } },
    { name: 'reports an upward import', edges: [edge('low/x.ts', 'mid/a.ts')], expected: { upward: ['low/x.ts → mid/a.ts'], unplaced: [], cycles: [] } },
    { name: 'reports a cycle within one layer', edges: [edge('mid/a.ts', 'mid/b.ts'), edge('mid/b.ts', 'mid/c.ts'), edge('mid/c.ts', 'mid/a.ts')], expected: { upward: [], unplaced: [], cycles: [['mid/a.ts', 'mid/b.ts', 'mid/c.ts']] } },
    { name: 'reports a file that imports itself', edges: [edge('mid/a.ts', 'mid/a.ts')], expected: { upward: [], unplaced: [], cycles: [['mid/a.ts']] } },
    { name: 'reports a file no layer names', edges: [edge('stray.ts', 'low/x.ts')], expected: { upward: [], unplaced: ['stray.ts'], cycles: [] } },
  ])('$name', ({ edges, expected }) => {
    expect(checkImportGraph(edges, layers)).toEqual(expected);
  });

  it('finds type-only, re-exported, multi-line and dynamic imports, and none in comments', () => {
    const text = [
      "import type { A } from './a.js';",
      'import {',
      '  b,',
      "  type C,",
      "} from '../b.js';",
      "export { d } from './d.js';",
      "export * from './e.js';",
      "import './f.js';",
      "const g = await import('./g.js');",
      "// import { h } from './h.js';",
      "/* import { i } from './i.js'; */",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(importsOf(text).sort()).toEqual(['../b.js', './a.js', './d.js', './e.js', './f.js', './g.js']);
  });
});
