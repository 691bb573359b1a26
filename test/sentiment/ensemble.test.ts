/** --ensemble N: N models per split, predictions = the mean of their class probabilities. */
import "../../src/kernels/select.js";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadClassifier } from "../../src/io/checkpoint.js";
import { classifyTexts } from "../../src/sentiment/classify.js";
import { memberPath, trainSentimentModel } from "../../src/sentiment/session.js";
import { rocAuc } from "../../src/eval/metrics.js";

test("memberPath numbers ensemble members before the extension", () => {
  assert.equal(memberPath("runs/model.safetensors", 0), "runs/model.1.safetensors");
  assert.equal(memberPath("runs/model.safetensors", 2), "runs/model.3.safetensors");
  assert.equal(memberPath("runs.v2/model", 1), "runs.v2/model.2");
});

test("an ensemble's test accuracy is that of its members' mean probabilities; ensemble 1 = a single model", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-ens-"));
  try {
    const good = ["good", "great", "fine", "superb", "nice"], bad = ["bad", "awful", "poor", "dull", "weak"];
    const rows = ["label\ttext"];
    for (let i = 0; i < 60; i++) rows.push(`pos\ta ${good[i % 5]} film ${bad[(i * 3) % 5]} plot`, `neg\ta ${bad[i % 5]} film ${good[(i * 7) % 5]} plot`);
    const tests: Array<[string, string]> = [];
    for (let i = 0; i < 20; i++) tests.push(["pos", `${good[i % 5]} ${good[(i + 2) % 5]} film`], ["neg", `${bad[i % 5]} ${bad[(i + 1) % 5]} film`], [i % 2 ? "pos" : "neg", `${good[i % 5]} ${bad[(i + 3) % 5]} film`]);
    writeFileSync(join(dir, "train.tsv"), rows.join("\n") + "\n");
    writeFileSync(join(dir, "test.tsv"), ["label\ttext", ...tests.map(([l, t]) => `${l}\t${t}`)].join("\n") + "\n");
    const common = { path: join(dir, "train.tsv"), testPath: join(dir, "test.tsv"), minFreq: 1, hiddenSize: 6, embeddingDim: 5, epochs: 2, seed: 4 };
    const out = join(dir, "m.safetensors");
    const notes: string[] = [];
    const r = await trainSentimentModel({ ...common, ensemble: 3, out }, { info: (m) => notes.push(m) });
    assert.equal(r.training.length, 3, "three members trained");
    assert.match(notes.join("\n"), /ensemble of 3: validation accuracy [\d.]+% \(members [\d.]+, [\d.]+, [\d.]+\)/);
    assert.ok(!existsSync(out), "members are saved as m.1 … m.3, not m");
    assert.equal(r.checkpoint, null);
    assert.deepEqual(r.members, [0, 1, 2].map((m) => memberPath(out, m)));
    const members = [0, 1, 2].map((m) => loadClassifier(memberPath(out, m)));
    // The members differ (different seeds) …
    const texts = tests.map(([, t]) => t);
    const probs = members.map((b) => classifyTexts(b, texts).map((p) => p.probs.pos!));
    assert.notDeepEqual(probs[0], probs[1]);
    // … and the reported accuracy is the accuracy of their averaged probabilities.
    let correct = 0;
    for (let i = 0; i < texts.length; i++) {
      const pos = (probs[0]![i]! + probs[1]![i]! + probs[2]![i]!) / 3;
      if ((pos > 0.5 ? "pos" : "neg") === tests[i]![0]) correct++;
    }
    assert.ok(r.test);
    assert.equal(r.test.accuracy, correct / texts.length);
    // The ranking too: ROC-AUC of the mean probabilities, not of any one member's.
    const y = tests.map(([l]) => (l === "pos" ? 1 : 0));
    const mean = texts.map((_, i) => (probs[0]![i]! + probs[1]![i]! + probs[2]![i]!) / 3);
    assert.ok(Math.abs(r.test.rocAuc! - rocAuc(y, mean)) < 1e-6, `ensemble ROC-AUC ${r.test.rocAuc} vs mean of members ${rocAuc(y, mean)}`);
    assert.ok(probs.every((p) => Math.abs(rocAuc(y, p) - rocAuc(y, mean)) > 1e-6), "each member ranks differently from the mean (else this test proves nothing)");
    assert.ok(r.meanValidAccuracy > 0 && r.meanValidAccuracy <= 1);
    // ensemble 1 is exactly the plain single-model run
    const single = await trainSentimentModel({ ...common });
    const one = await trainSentimentModel({ ...common, ensemble: 1 });
    assert.equal(one.test!.accuracy, single.test!.accuracy);
    assert.deepEqual(one.training[0]!.history.map((h) => h.trainLoss), single.training[0]!.history.map((h) => h.trainLoss));
    await assert.rejects(trainSentimentModel({ ...common, ensemble: 0 }), /ensemble must be a positive integer, got 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
