/**
 * Checks on a labelled dataset after parsing, whatever the reader (CSV/TSV/JSONL/JSON): the
 * silent failures of a wrong column or a damaged file become errors or notes.
 *
 * - A file with no records is an error.
 * - A record with an empty label is an error (it would otherwise become a class named "").
 * - Records whose text is empty (or whitespace) are dropped with a note, as the JSON reader does;
 *   when *every* text is empty it is an error (the text column is probably the wrong one) —
 *   training on nothing reaches chance accuracy and says nothing.
 */
import { DataFormatError, preview } from "./errors.js";
import { labelSet } from "./labels.js";
import type { Example, TextDataset } from "./types.js";

const list = (xs: readonly number[]): string => xs.slice(0, 5).join(", ") + (xs.length > 5 ? ", …" : "");

/**
 * `ds` with empty-text records dropped (noted); throws DataFormatError on empty labels or no text
 * at all. `givenLabels`: the label set was given by the caller (class ids fixed), so it is kept
 * as is; otherwise it is recomputed from the records that remain.
 */
export function checkExamples<E extends Example>(ds: TextDataset<E>, givenLabels: boolean): TextDataset<E> {
  if (ds.examples.length === 0) throw new DataFormatError(ds.source, 0, "no records (the file is empty or has only a header)");
  const emptyLabel: number[] = [];
  const emptyText: number[] = [];
  ds.examples.forEach((e, i) => {
    if (e.label.trim() === "") emptyLabel.push(i + 1);
    if (e.text.trim() === "") emptyText.push(i + 1);
  });
  if (emptyText.length === ds.examples.length)
    throw new DataFormatError(ds.source, 0, `every one of the ${ds.examples.length} records has an empty text (hint: is the text column right? name it with --text-col)`);
  const firstLabelOnly = emptyLabel.find((r) => !emptyText.includes(r));
  if (firstLabelOnly !== undefined) {
    const n = emptyLabel.length;
    throw new DataFormatError(ds.source, 0, `${n} record${n === 1 ? " has" : "s have"} an empty label (record${n === 1 ? "" : "s"} ${list(emptyLabel)}, counting from 1; the first: ${preview(ds.examples[firstLabelOnly - 1]!.text)}) (hint: fill or remove ${n === 1 ? "it" : "them"}, or check --label-col)`);
  }
  if (emptyText.length === 0) return ds;
  const n = emptyText.length;
  const drop = new Set(emptyText);
  const examples = ds.examples.filter((_, i) => !drop.has(i + 1));
  const labels = givenLabels ? ds.labels : labelSet(examples);
  return { ...ds, examples, labels, notes: [...ds.notes, `${ds.source}: skipped ${n} record${n === 1 ? "" : "s"} with empty text (record${n === 1 ? "" : "s"} ${list(emptyText)}, counting from 1)`] };
}
