/**
 * Minimal pairs for probing a sentiment classifier: a text and a small edit of it that flips its
 * sentiment (negation, an intensifier such as "terribly", a contrast with "but" …). One JSON object
 * per line (JSONL):
 *
 *   {"id": 1, "category": "negation", "a": {"text": "The movie was good.", "label": "pos"},
 *                                     "b": {"text": "The movie was not good.", "label": "neg"}}
 *
 * A model gets a pair right only when it gets both sides right, so a model that ignores the edit
 * (a bag of words that does not see "not") scores at most one side of each pair.
 */
import { DataFormatError, preview } from "./errors.js";
import { readTextFile } from "./read-file.js";
import type { Example } from "./types.js";

export interface MinimalPair {
  id: string;
  category: string;
  a: Example;
  b: Example;
}

/** True when a JSONL file's first object looks like a minimal pair ({a: {text, label}, b: …}). */
export function looksLikePairs(firstLine: string): boolean {
  try {
    const o: unknown = JSON.parse(firstLine);
    return isObject(o) && isObject(o["a"]) && isObject(o["b"]) && typeof o["a"]["text"] === "string";
  } catch {
    return false;
  }
}

/** Parse minimal pairs from JSONL text; `source` names the file in errors. */
export function parseMinimalPairs(text: string, source: string): MinimalPair[] {
  const out: MinimalPair[] = [];
  const ids = new Set<string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const where = i + 1;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (e) {
      throw new DataFormatError(source, where, `not valid JSON (${(e as Error).message}): ${preview(line)} (hint: one pair per line, as {"a": {"text", "label"}, "b": {…}})`);
    }
    if (!isObject(o)) throw new DataFormatError(source, where, `expected a JSON object, got ${preview(line)}`);
    const side = (k: "a" | "b"): Example => {
      const s = o[k];
      if (!isObject(s) || typeof s["text"] !== "string" || typeof s["label"] !== "string")
        throw new DataFormatError(source, where, `"${k}" must be {"text": string, "label": string}, got ${preview(JSON.stringify(s) ?? "undefined")}`);
      if (s["text"].trim() === "") throw new DataFormatError(source, where, `"${k}.text" is empty`);
      if (s["label"].trim() === "") throw new DataFormatError(source, where, `"${k}.label" is empty`);
      return { text: s["text"], label: s["label"] };
    };
    const a = side("a");
    const b = side("b");
    if (a.label === b.label) throw new DataFormatError(source, where, `both sides are labelled "${a.label}": a minimal pair flips the label`);
    const id = o["id"] === undefined ? String(out.length + 1) : String(o["id"]);
    if (ids.has(id)) throw new DataFormatError(source, where, `duplicate id ${preview(id)}`);
    ids.add(id);
    const category = typeof o["category"] === "string" && o["category"] !== "" ? o["category"] : "all";
    out.push({ id, category, a, b });
  });
  if (out.length === 0) throw new DataFormatError(source, 0, "no pairs found (hint: one JSON object per line)");
  return out;
}

/** Read a minimal-pairs JSONL file (UTF-8). */
export function readMinimalPairs(path: string): MinimalPair[] {
  return parseMinimalPairs(readTextFile(path).text, path);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
