/**
 * Core's import graph has no cycle, between files or between folders, counting type-only
 * imports too: a folder is a layer (store under model under the features), and a cycle is
 * where two of them became one without anyone deciding it. Read with TypeScript's own
 * pre-processor (every `import`, `import type`, `export … from` and `import()`), so it needs no
 * other package (docs/decisions.md, "One conversation model").
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const src = resolve(import.meta.dirname, "../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const files = sourceFiles(src);
const name = (file: string) => relative(src, file);
const text = new Map(files.map((f) => [f, readFileSync(f, "utf8")]));

/** The core files a file imports (relative specifiers only: packages are not core). */
const imports = new Map(
  files.map((f) => [
    f,
    ts
      .preProcessFile(text.get(f)!, true, true)
      .importedFiles.map((i) => i.fileName)
      .filter((spec) => spec.startsWith("."))
      .map((spec) => resolve(dirname(f), spec)),
  ]),
);

/**
 * A barrel: a folder's `index.ts` that only re-exports its files, the surface other packages
 * import (`@agorusta/core/<folder>`). Core's own files never import one, so it adds no edge.
 */
function isBarrel(file: string): boolean {
  const source = ts.createSourceFile(file, text.get(file)!, ts.ScriptTarget.Latest);
  return file.endsWith("index.ts") && source.statements.every((s) => ts.isExportDeclaration(s) && s.moduleSpecifier !== undefined);
}

/** The strongly connected components of more than one node (or a node importing itself): the cycles. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)!.includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("core's imports", () => {
  it("are read from every source file", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(imports.get(join(src, "conversations/send.ts"))).toContain(join(src, "conversations/feed.ts"));
  });

  it("never go through a folder's barrel (index.ts) from inside core", () => {
    const barrels = new Set(files.filter(isBarrel));
    const through = files.flatMap((f) => imports.get(f)!.filter((d) => barrels.has(d) && !barrels.has(f)).map((d) => `${name(f)} → ${name(d)}`));
    expect(through).toEqual([]);
  });

  it("form no cycle between files", () => {
    const graph = new Map(files.map((f) => [name(f), imports.get(f)!.map(name)]));
    expect(cycles(graph)).toEqual([]);
  });

  it("form no cycle between folders (each folder, sub-folders included, its own node)", () => {
    const graph = new Map<string, string[]>();
    for (const f of files.filter((f) => !isBarrel(f))) {
      const from = dirname(name(f));
      const to = imports.get(f)!.map((d) => dirname(name(d))).filter((d) => d !== from);
      graph.set(from, [...new Set([...(graph.get(from) ?? []), ...to])]);
    }
    expect(cycles(graph)).toEqual([]);
  });
});
