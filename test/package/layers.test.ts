/**
 * The architecture as a test: every room of src/ (a folder, or a top-level file such as errors.ts)
 * has a layer, and a module may import only from its own room or from rooms on a LOWER layer.
 * So the arrows point one way (kernels → tensor → nn → models → train → CLI) and rooms cannot
 * form a cycle. A new room fails here until it is given a layer; an import that runs upward or
 * sideways fails with the file and the specifier, and the hint says what to do.
 *
 * Read from the TypeScript sources (not dist/): static imports/exports and dynamic imports of
 * literal specifiers; type-only imports count too, since they are arrows of the design as well.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../helpers/shared.js";

/** Low to high. Rooms on one line are peers: they must not import each other. */
export const LAYERS: readonly (readonly string[])[] = [
  ["errors", "kernels"], //                      no rnnkit imports but errors
  ["tensor"], //                                 tensors + autodiff over the kernels
  ["nn", "optim", "data", "viz", "eval", "baselines"], // layers, optimizers, readers, charts, metrics
  ["models", "embeddings"], //                   language model, classifiers; word vectors
  ["io", "transformers"], //                     checkpoints; the pretrained-transformer comparison
  ["train"], //                                  the one training loop
  ["lm", "sentiment", "analysis"], //            the two halves of the lecture, and the gradient lab
  ["export", "recipes", "serve"], //             ONNX, ULMFiT, HTTP
  ["cli", "index", "browser"], //                entry points
];

const SRC = join(REPO_ROOT, "src");
const SPECIFIER = /(?:^|[\s;}])(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;

function layerOf(room: string): number {
  const i = LAYERS.findIndex((rooms) => rooms.includes(room));
  return i;
}

/** The room of a path inside src/: its first folder, or the file's name without extension. */
function roomOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? parts[0]!.replace(/\.(ts|js)$/, "") : parts[0]!;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

/** `./x.js` in a .ts file names `./x.ts` (or a folder's index). */
function resolveSource(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, ".ts"), base, `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

test("every room of src/ has a layer", () => {
  const rooms = new Set(sources(SRC).map(roomOf));
  const missing = [...rooms].filter((r) => layerOf(r) < 0);
  assert.deepEqual(missing, [], `rooms without a layer: ${missing.join(", ")}; hint: add each to LAYERS in test/package/layers.test.ts, below every room it imports and above every room that imports it`);
  const stale = LAYERS.flat().filter((r) => !rooms.has(r));
  assert.deepEqual(stale, [], `LAYERS names rooms that do not exist in src/: ${stale.join(", ")}`);
});

/** Arrows against the layers in the source tree under `src`, one message each; and the number of arrows between rooms. */
export function layerViolations(src: string): { bad: string[]; arrows: number } {
  const bad: string[] = [];
  let arrows = 0;
  const roomIn = (file: string): string => {
    const parts = relative(src, file).split(sep);
    return parts.length === 1 ? parts[0]!.replace(/\.(ts|js)$/, "") : parts[0]!;
  };
  for (const file of sources(src)) {
    // comments dropped: doc comments show imports as examples
    const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const from = roomIn(file);
    const where = relative(dirname(src), file);
    for (const m of code.matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (!spec.startsWith(".")) continue;
      const target = resolveSource(file, spec);
      if (target === undefined) {
        // the browser entry imports the bundle it is built into; anything else must resolve
        if (from === "browser" && spec === "./rnnkit.js") continue;
        bad.push(`${where}: "${spec}" does not resolve to a source file`);
        continue;
      }
      if (!target.startsWith(src + sep)) {
        bad.push(`${where}: "${spec}" leaves src/`);
        continue;
      }
      const to = roomIn(target);
      if (to === from) continue;
      arrows++;
      const a = layerOf(from);
      const b = layerOf(to);
      if (!(b < a)) bad.push(`${where} (${from}, layer ${a}) imports ${spec} (${to}, layer ${b}): expected a room below layer ${a}`);
    }
  }
  return { bad, arrows };
}

test("imports run only from a higher layer to a lower one (no upward or sideways arrows, no cycles between rooms)", () => {
  const { bad, arrows } = layerViolations(SRC);
  assert.ok(arrows > 100, `expected the room graph to have arrows, found ${arrows} (is the specifier pattern still right?)`);
  assert.deepEqual(bad, [], `arrows against the layers:\n${bad.join("\n")}\nhint: move the shared code down to a room both can import, or pass it in as a parameter`);
});

test("the layer check catches upward and sideways imports (a check that cannot fail is no check)", () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-layers-"));
  try {
    const src = join(dir, "src");
    const put = (path: string, text: string): void => {
      mkdirSync(dirname(join(src, path)), { recursive: true });
      writeFileSync(join(src, path), text);
    };
    put("kernels/k.ts", "export const k = 1;\n");
    put("tensor/t.ts", 'import { k } from "../kernels/k.js";\nimport { n } from "../nn/n.js"; // upward\nexport const t = k + n;\n');
    put("nn/n.ts", 'import { t } from "../tensor/t.js";\nexport const n = 2;\n');
    put("optim/o.ts", 'export { n } from "../nn/n.js"; // sideways: a peer\n');
    put("data/d.ts", '/* import { x } from "../cli/x.js"; in a comment */ export const d = await import("../tensor/t.js");\n');
    const { bad, arrows } = layerViolations(src);
    assert.equal(arrows, 5);
    assert.equal(bad.length, 2, bad.join("\n"));
    assert.match(bad[0] ?? "", /src\/(tensor\/t|optim\/o)\.ts/);
    assert.ok(bad.some((b) => b.includes("tensor/t.ts (tensor, layer 1) imports ../nn/n.js (nn, layer 2)")), bad.join("\n"));
    assert.ok(bad.some((b) => b.includes("optim/o.ts (optim, layer 2) imports ../nn/n.js (nn, layer 2)")), bad.join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
