/** Labelled data is checked before the first step of train-classifier: empty labels, one class, all-empty texts. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { trainSentimentModel } from "../../src/sentiment/session.js";
import { tempDir } from "../helpers/tmp.js";

function csv(body: string): string {
  const p = join(tempDir("labels"), "data.csv");
  writeFileSync(p, `text,label\n${body}`);
  return p;
}
const tiny = { embeddingDim: 4, hiddenSize: 4, epochs: 1, maxFolds: 1 } as const;

test("an empty label is refused, not trained as a class of its own", async () => {
  let steps = 0;
  await assert.rejects(
    trainSentimentModel({ ...tiny, path: csv("good film,pos\nbad film,\nfine,neg\nawful,neg\n") }, { onStep: () => steps++ }),
    /data\.csv: 1 record has an empty label \(record 2, counting from 1; the first: "bad film"\)/,
  );
  assert.equal(steps, 0);
});

test("all-empty texts are refused; some empty texts are trained with a note", async () => {
  await assert.rejects(trainSentimentModel({ ...tiny, path: csv(',pos\n  ,neg\n"",pos\n,neg\n') }), /every one of the 4 records has an empty text/);
  await assert.rejects(trainSentimentModel({ ...tiny, path: csv("good,pos\nnice,pos\n") }), /needs at least two labels, the training data has only "pos"/);
  const notes: string[] = [];
  const rows = Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? `,${i % 2 ? "pos" : "neg"}` : `${i % 2 ? "good fine" : "bad poor"} ${i},${i % 2 ? "pos" : "neg"}`)).join("\n");
  await trainSentimentModel({ ...tiny, path: csv(rows), testPath: csv("good fine,pos\nbad poor,neg\n") }, { info: (m) => notes.push(m) });
  assert.ok(notes.some((n) => /skipped 4 records with empty text/.test(n)), notes.join("\n"));
});
