/**
 * The shape every dataset reader returns: labelled texts plus the label set.
 */

/** One labelled text. `label` is the dataset's own label string ("pos", "1", "neutral" …). */
export interface Example {
  text: string;
  label: string;
}

export interface TextDataset<E extends Example = Example> {
  examples: E[];
  /** The label set in a fixed order: class id = index in this array. */
  labels: string[];
  /** File(s) read, for messages. */
  source: string;
  /** Blank (empty or whitespace-only) lines that were skipped. */
  skippedEmptyLines: number;
  /** Things the reader did that the caller should know about (e.g. an encoding fallback). */
  notes: string[];
}

/** Count of examples per label, in `labels` order. */
export function labelCounts(ds: Pick<TextDataset, "examples" | "labels">): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of ds.labels) out[l] = 0;
  for (const e of ds.examples) out[e.label] = (out[e.label] ?? 0) + 1;
  return out;
}
