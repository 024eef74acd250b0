// The module map holds: no import cycle among the modules that run (the compiled JavaScript,
// where type-only imports are gone), and the application core never reaches a server adapter,
// not even for a type (the TypeScript sources). Types alone may refer to each other in a knot
// (a Request knows its app; a handler takes a Request): that is erased at build time.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const JS_SRC = resolve(HERE, '../src');
const TS_SRC = resolve(HERE, '../../src');

function modules(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...modules(path, ext));
    else if (entry.name.endsWith(ext) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Relative imports of a module (static, dynamic and type-only), by name under `root`. */
function importsOf(root: string, file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    out.push(relative(root, resolve(dirname(file), m[1]!)));
  }
  return out;
}

/** Module name (`app.js`, `session/token.js`) → the modules it imports. */
function graphOf(root: string, ext: string): Map<string, string[]> {
  return new Map(
    modules(root, ext).map((file) => [
      relative(root, file).replace(/\.ts$/, '.js'),
      importsOf(root, file),
    ]),
  );
}

/** Every module `from` reaches in `graph`, itself excluded unless through a cycle. */
function reach(graph: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [...(graph.get(from) ?? [])];
  while (todo.length > 0) {
    const next = todo.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    todo.push(...(graph.get(next) ?? []));
  }
  return seen;
}

test('no module that runs imports itself back, directly or through others', () => {
  const graph = graphOf(JS_SRC, '.js');
  assert.ok(graph.size > 20);
  const cyclic = [...graph.keys()].filter((file) => reach(graph, file).has(file));
  assert.deepEqual(cyclic, []);
});

test('the application core and the router reach no server adapter, even for a type', () => {
  const graph = graphOf(TS_SRC, '.ts');
  const adapters = ['node.js', 'node-handler.js', 'fetch.js', 'microdot.js'];
  const cores = ['app.js', 'router.js', 'request-flow.js', 'hooks.js', 'error-answer.js'];
  for (const core of [...cores, 'handler.js', 'request.js', 'response.js']) {
    assert.ok(graph.has(core), core);
    const reached = [...reach(graph, core)];
    assert.deepEqual(
      reached.filter((m) => adapters.includes(m)),
      [],
      `${core} reaches ${reached.join(', ')}`,
    );
  }
});
