/**
 * Label-set handling shared by the readers.
 */
import { DataFormatError, preview } from "./errors.js";
import type { Example } from "./types.js";

/** Throws DataFormatError when `labels` is given and does not contain `label`. */
export function checkLabel(label: string, labels: ReadonlySet<string> | null, file: string, line: number, display?: readonly string[]): void {
  if (labels !== null && !labels.has(label)) {
    throw new DataFormatError(file, line, `unknown label ${preview(label)} (expected one of: ${(display ?? [...labels]).join(", ")})`);
  }
}

/**
 * The label set of some examples: `given` when provided, otherwise the distinct labels sorted
 * (numerically when all look like numbers, so "10" comes after "9").
 */
export function labelSet(examples: readonly Example[], given?: readonly string[]): string[] {
  if (given !== undefined) return [...given];
  const set = [...new Set(examples.map((e) => e.label))];
  const numeric = set.every((l) => /^-?\d+(\.\d+)?$/.test(l));
  return numeric ? set.sort((a, b) => Number(a) - Number(b)) : set.sort();
}

/** Class ids of the examples' labels in `labels` order; throws on a label not in the set. */
export function encodeLabels(examples: readonly Example[], labels: readonly string[]): Int32Array {
  const index = new Map(labels.map((l, i) => [l, i] as const));
  const out = new Int32Array(examples.length);
  for (let i = 0; i < examples.length; i++) {
    const id = index.get(examples[i]!.label);
    if (id === undefined) throw new RangeError(`encodeLabels: example ${i} has label ${preview(examples[i]!.label)}, expected one of: ${labels.join(", ")}`);
    out[i] = id;
  }
  return out;
}

/**
 * Before the first step: a classifier needs at least two classes in its training data (empty
 * labels and empty texts are the readers' checks, data/sentiment/check.ts).
 */
export function checkTrainingLabels(source: string, labels: readonly string[]): void {
  if (labels.length < 2) throw new DataFormatError(source, 0, `a classifier needs at least two labels, the training data has ${labels.length === 0 ? "none" : `only ${preview(labels[0]!)}`} (hint: check --label-col)`);
}
