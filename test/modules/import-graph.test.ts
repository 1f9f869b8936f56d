import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

// Issue 8: the machinery never imports the parts it carries, and the runtime
// import graph (type-only imports are erased) has no cycle. Reads the real
// source files of src/.

const SRC = resolve('src');
const MACHINERY = ['realm', 'flows', 'jobs', 'blobs', 'directory', 'residency', 'api', 'config', 'modules', 'lib'];
const PARTS = ['accounts', 'graph', 'social', 'media', 'media-serving', 'staff', 'audit', 'feed', 'web'];

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Relative imports of a file: every one (types included) and the runtime ones. */
function importsOf(file: string): { all: string[]; runtime: string[] } {
  const text = readFileSync(file, 'utf8');
  const all: string[] = [];
  const runtime: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'/gm)) {
    const target = resolve(dirname(file), m[3]!);
    all.push(target);
    if (!m[2]) runtime.push(target);
  }
  for (const m of text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)) {
    const target = resolve(dirname(file), m[1]!);
    all.push(target);
    runtime.push(target);
  }
  return { all, runtime };
}

const folderOf = (file: string) => relative(SRC, file).split('/')[0]!;

/** Known, not yet fixed: the web shell (landed on main during this work) is wired as the
 * not-found handler in api/app.ts instead of through a module. Remove once it is. */
const KNOWN = new Set(['api/app.ts → web/static-routes.ts']);

test('no machinery file imports a part (types included)', () => {
  const offences: string[] = [];
  for (const file of files(SRC)) {
    if (!MACHINERY.includes(folderOf(file))) continue;
    for (const target of importsOf(file).all) {
      if (PARTS.includes(folderOf(target))) offences.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
    }
  }
  assert.deepEqual(
    offences.filter((o) => !KNOWN.has(o)),
    [],
  );
});

test('the runtime import graph of src/ has no cycle', () => {
  const graph = new Map(files(SRC).map((f) => [f, importsOf(f).runtime]));
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(SRC, p)).join(' → '));
      return;
    }
    state.set(f, 'open');
    for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of graph.keys()) visit(f, []);
  assert.deepEqual(cycles, []);
});

/** Part → parts it imports (types included), from the real files. */
function partGraph(): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const file of files(SRC)) {
    const from = folderOf(file);
    if (!PARTS.includes(from)) continue;
    for (const target of importsOf(file).all) {
      const to = folderOf(target);
      if (PARTS.includes(to) && to !== from) g.set(from, (g.get(from) ?? new Set()).add(to));
    }
  }
  return g;
}

/** Cycles in a part graph, each as "a → b → a". */
function partCycles(g: Map<string, Set<string>>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (p: string, path: string[]) => {
    if (state.get(p) === 'done') return;
    if (state.get(p) === 'open') return void cycles.push([...path.slice(path.indexOf(p)), p].join(' → '));
    state.set(p, 'open');
    for (const q of g.get(p) ?? []) visit(q, [...path, p]);
    state.set(p, 'done');
  };
  for (const p of g.keys()) visit(p, []);
  return cycles;
}

// A part may use another part's public functions, but never both ways: the part that stores
// engagement (social) tells the part that learns from it (feed) through the engagement hook
// (src/modules/engagement.ts), not by importing it. So parts form layers, not a web.
// The two loops found when this rule was added are gone: a block reaches graph (its follow edges)
// and media-serving (its links) through the block hooks (src/modules/blocks.ts).
test('no two parts import each other, directly or round a loop (types included)', () => {
  assert.deepEqual(partCycles(partGraph()), []);
  assert.ok(!partGraph().get('social')?.has('feed'), 'social tells feed through the engagement hook');
  assert.ok(!partGraph().get('social')?.has('graph'), 'social tells graph of a block through the block hook');
  assert.ok(!partGraph().get('media-serving')?.has('social'), 'media-serving asks who is blocked through the block hook');
});

test('the part-cycle checker sees a cycle when there is one', () => {
  const g = new Map([
    ['social', new Set(['feed'])],
    ['feed', new Set(['social'])],
  ]);
  assert.deepEqual(partCycles(g), ['social → feed → social']);
});

test('the checker sees a machinery → part import and a cycle when there is one', () => {
  // guards against a checker that can never fail: the old flow table imported graph and social
  const sample = "import { receiveFollow } from '../graph/flow-handlers.ts';\nimport type { X } from './y.ts';\n";
  const m = [...sample.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'/gm)];
  assert.equal(m.length, 2);
  assert.equal(m[0]![2], undefined);
  assert.equal(m[1]![2], 'type ');
});
