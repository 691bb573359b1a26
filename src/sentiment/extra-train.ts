import { normalizeText } from "../data/text/normalize.js";
import type { Example } from "../data/sentiment/types.js";
import type { PhraseBankAgreement } from "../data/sentiment/phrasebank.js";
import { loadSentimentData, SENTIMENT_DATASETS, type SentimentData, type SentimentDataOptions, type SentimentDatasetName } from "./datasets.js";

const AGREEMENTS: readonly PhraseBankAgreement[] = ["50Agree", "66Agree", "75Agree", "AllAgree"];

/** What `--extra-train` added, and what it had to leave out. */
export interface ExtraTraining {
  /** e.g. "phrasebank-50Agree". */
  name: string;
  /** Examples added to every split's training part. */
  examples: Example[];
  /** Examples the source held (all its splits). */
  read: number;
  /** Dropped because their text is also a text of the dataset being evaluated (any split, any fold). */
  droppedShared: number;
  /** Dropped as repeats of a text already taken from the source. */
  droppedRepeats: number;
}

/**
 * Extra labelled training data for a run on `data`: `spec` is a dataset name, `name:agreement`
 * (`phrasebank:50Agree`: Financial PhraseBank's sentences with a majority label) or a path, read
 * by the same loaders as `--data`.
 *
 * Every text that also occurs in `data` — train, dev or test; under cross-validation every text is
 * some fold's test text — is dropped (compared after `normalizeText`, so case and spacing do not
 * hide a copy), so no evaluation text is ever trained on. Labels must be labels of `data`.
 */
export async function loadExtraTraining(spec: string, data: SentimentData, o: SentimentDataOptions): Promise<ExtraTraining> {
  const where = `--extra-train ${spec}`;
  const [head, level] = spec.split(":") as [string, string | undefined];
  const named = (SENTIMENT_DATASETS as readonly string[]).includes(head);
  if (level !== undefined && !(named && AGREEMENTS.includes(level as PhraseBankAgreement)))
    throw new Error(`${where}: expected a dataset name, phrasebank:<agreement> (${AGREEMENTS.join(", ")}) or a path, got "${spec}" (hint: --extra-train phrasebank:50Agree)`);
  const src = await loadSentimentData({
    ...(named ? { dataset: head as SentimentDatasetName } : { path: spec }),
    ...(o.table ? { table: o.table } : {}),
    ...(o.download ? { download: o.download } : {}),
    agreement: (level as PhraseBankAgreement | undefined) ?? "AllAgree",
  });
  const all = [...src.train, ...(src.dev ?? []), ...(src.test ?? [])];
  const unknown = [...new Set(all.map((e) => e.label))].filter((l) => !data.labels.includes(l));
  if (unknown.length) throw new Error(`${where}: labels ${unknown.join(", ")} are not labels of ${data.name} (${data.labels.join(", ")}); hint: --label-col, or a source with the same label names`);
  const key = (t: string): string => normalizeText(t);
  const seen = new Set<string>();
  for (const e of [...data.train, ...(data.dev ?? []), ...(data.test ?? [])]) seen.add(key(e.text));
  const shared = new Set(seen);
  const examples: Example[] = [];
  let droppedShared = 0;
  let droppedRepeats = 0;
  for (const e of all) {
    const k = key(e.text);
    if (shared.has(k)) droppedShared++;
    else if (seen.has(k)) droppedRepeats++;
    else {
      seen.add(k);
      examples.push(e);
    }
  }
  if (!examples.length) throw new Error(`${where}: all ${all.length.toLocaleString()} examples are texts of ${data.name} itself; nothing is left to add`);
  return { name: src.name, examples, read: all.length, droppedShared, droppedRepeats };
}
