// The import graph of src/, read from the source text (every `import`, `export … from`
// and `import()`, type-only ones included), and the two rules the architecture
// keeps: imports point down the layer order, and no file reaches itself.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** One import: from a file to a file, both relative to the source root, with `/` separators. */
export interface ImportEdge {
  from: string;
  to: string;
}

/** Import statements and expressions with a string specifier; comments are removed first. */
const SPECIFIERS = [
  /\bimport\s+(?:type\s+)?(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s+[\w$]+)?\s*from\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bexport\s+(?:type\s+)?(?:\{[^}]*\}|\*(?:\s*as\s+[\w$]+)?)\s*from\s*['"]([^'"]+)['"]/g,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** The relative specifiers a module's text imports. */
export function importsOf(text: string): string[] {
  const source = withoutComments(text);
  const found: string[] = [];
  for (const pattern of SPECIFIERS) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found.filter((specifier) => specifier.startsWith('.'));
}

/** Generated code whose inner structure is its generator's affair: it is read as a target, not as a source. */
const OPAQUE = /[\\/]generated[\\/]prisma$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return OPAQUE.test(path) ? [] : sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Resolves a relative specifier the way Node and TypeScript do here (`./x.js` is `./x.ts`; a folder is its index). */
function resolveSpecifier(fromFile: string, specifier: string): string {
  const target = resolve(dirname(fromFile), specifier);
  for (const candidate of [target.replace(/\.js$/, '.ts'), `${target}.ts`, join(target, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  return target;
}

/** Every import between files under `root` (tests left out). */
export function readImportGraph(root: string): ImportEdge[] {
  const name = (path: string) => relative(root, path).split(sep).join('/');
  return sourceFiles(root).flatMap((file) =>
    importsOf(readFileSync(file, 'utf8')).map((specifier) => ({ from: name(file), to: name(resolveSpecifier(file, specifier)) })),
  );
}

/**
 * The layers, lowest first: each entry lists the parts of one layer (a top-level
 * file or folder of src/, or a deeper path where one folder holds two layers'
 * files, longest prefix wins). A file may import its own layer and those below.
 */
export type Layers = ReadonlyArray<readonly string[]>;

/** The layer index of a file, or undefined when no layer names it. */
export function layerOf(layers: Layers, file: string): number | undefined {
  let best: { index: number; length: number } | undefined;
  layers.forEach((parts, index) => {
    for (const part of parts) {
      const matches = file === part || file.startsWith(part.endsWith('/') ? part : `${part}/`);
      if (matches && (!best || part.length > best.length)) best = { index, length: part.length };
    }
  });
  return best?.index;
}

/** What breaks the rules: imports that point up the layers, files no layer names, and cycles. */
export interface GraphFindings {
  upward: string[];
  unplaced: string[];
  cycles: string[][];
}

/** Checks a graph against the layers; every finding, not the first. */
export function checkImportGraph(edges: readonly ImportEdge[], layers: Layers): GraphFindings {
  const upward: string[] = [];
  const unplaced = new Set<string>();
  for (const { from, to } of edges) {
    const [a, b] = [layerOf(layers, from), layerOf(layers, to)];
    if (a === undefined) unplaced.add(from);
    if (b === undefined) unplaced.add(to);
    if (a !== undefined && b !== undefined && b > a) upward.push(`${from} → ${to}`);
  }
  return { upward, unplaced: [...unplaced].sort(), cycles: findCycles(edges) };
}

/** The strongly connected components of more than one file, or a file importing itself (Tarjan). */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (next.get(node) ?? []).includes(node)) cycles.push(component.sort());
    }
  };
  for (const node of next.keys()) if (!index.has(node)) visit(node);
  return cycles;
}
