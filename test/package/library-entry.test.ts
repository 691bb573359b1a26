/**
 * The library entry (`import "rnnkit"` → dist/src/index.js) loads only library code: no module of
 * the CLI (src/cli/), and of the npm packages only rnnkit's own dependencies that are not for the
 * command line (commander and cli-progress are); the embedded corpora and
 * @huggingface/transformers are located or imported only when used. Checked on the compiled
 * import graph (static imports and exports, and dynamic imports of literal specifiers), so a new
 * re-export that drags the CLI in fails here.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../helpers/shared.js";

const SPECIFIER = /(?:^|[\s;}])(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Every compiled module reachable from `entry`, and the bare (package) specifiers they import. */
export function importGraph(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>(); // package → first importer
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    // comments dropped: doc comments show imports as examples
    const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    for (const m of code.matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (spec.startsWith(".")) {
        const target = resolve(dirname(file), spec);
        assert.ok(existsSync(target), `${relative(REPO_ROOT, file)} imports ${spec}, which does not exist`);
        todo.push(target);
      } else if (!builtins.has(spec) && !packages.has(spec)) packages.set(spec, relative(REPO_ROOT, file));
    }
  }
  return { files, packages };
}

const CLI_ONLY = ["commander", "cli-progress"];

test("import graph of the library entry: no CLI module, no CLI-only package, only declared dependencies", () => {
  const entry = join(REPO_ROOT, "dist", "src", "index.js");
  const { files, packages } = importGraph(entry);
  assert.ok(files.size > 50, `only ${files.size} modules found: the import scan is broken`);
  const cli = [...files].map((f) => relative(REPO_ROOT, f)).filter((f) => f.startsWith(join("dist", "src", "cli")));
  assert.deepEqual(cli, [], "the library entry reaches CLI modules");
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const allowed = new Set(Object.keys(pkg.dependencies ?? {}).filter((d) => !CLI_ONLY.includes(d)));
  const name = (spec: string): string => spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");
  const bad = [...packages].filter(([spec]) => !allowed.has(name(spec)));
  assert.deepEqual(bad, [], `the library entry imports packages that are CLI-only or not dependencies (package, importer); allowed: ${[...allowed].join(", ")}`);
});

test("import graph of the CLI: it does reach commander and cli-progress (the scan sees packages)", () => {
  const { packages } = importGraph(join(REPO_ROOT, "dist", "src", "cli", "main.js"));
  assert.ok(packages.has("commander") && packages.has("cli-progress"), `packages seen from the CLI: ${[...packages.keys()].join(", ")}`);
});
