/**
 * Financial PhraseBank v1.0 (Malo et al. 2014; CC BY-NC-SA 3.0, non-commercial): `sentence@label`
 * per line, Latin-1, CRLF; labels "negative", "neutral", "positive". The label is the text after
 * the LAST '@' (sentences may contain '@'). Agreement levels are nested files
 * `Sentences_{50Agree,66Agree,75Agree,AllAgree}.txt`; no official split (use 10-fold CV).
 */
import { join } from "node:path";
import type { EncodingOption } from "./encoding.js";
import { DataFormatError, preview } from "./errors.js";
import { checkLabel } from "./labels.js";
import { forEachLine } from "./lines.js";
import { readTextFile } from "./read-file.js";
import type { Example, TextDataset } from "./types.js";

export const PHRASEBANK_LABELS: readonly string[] = ["negative", "neutral", "positive"];
const SET: ReadonlySet<string> = new Set(PHRASEBANK_LABELS);

export type PhraseBankAgreement = "50Agree" | "66Agree" | "75Agree" | "AllAgree";

/** Parse `sentence@label` lines (already decoded). */
export function parsePhraseBank(content: string, source: string): TextDataset {
  const examples: Example[] = [];
  const skipped = forEachLine(content, (line, lineNo) => {
    const at = line.lastIndexOf("@");
    if (at < 0) throw new DataFormatError(source, lineNo, `no '@' separator in ${preview(line)} (expected "sentence@label")`);
    const label = line.slice(at + 1).trim();
    checkLabel(label, SET, source, lineNo);
    examples.push({ text: line.slice(0, at).trim(), label });
  });
  return { examples, labels: [...PHRASEBANK_LABELS], source, skippedEmptyLines: skipped, notes: [] };
}

/**
 * Read a PhraseBank file: a path, or a folder plus agreement level. Default encoding Latin-1 (the
 * release's encoding; its mojibake such as "Lemmink+ñinen" is kept as distributed).
 */
export function readPhraseBank(where: string, opts: { agreement?: PhraseBankAgreement; encoding?: EncodingOption } = {}): TextDataset {
  const path = opts.agreement !== undefined ? join(where, `Sentences_${opts.agreement}.txt`) : where;
  const dec = readTextFile(path, opts.encoding ?? "latin1");
  const ds = parsePhraseBank(dec.text, path);
  if (dec.note !== undefined) ds.notes.push(dec.note);
  return ds;
}
