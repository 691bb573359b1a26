import assert from "node:assert/strict";
import { test } from "node:test";
import { createProgress, formatDuration, formatMetrics, formatRate, type ProgressStream } from "../../src/cli/progress.js";

/** A stream that records what is written; `tty` makes it look like a terminal. */
function sink(tty: boolean): ProgressStream & { out: string } {
  const s = {
    out: "",
    isTTY: tty,
    columns: 160,
    write(chunk: string, cb?: () => void): boolean {
      s.out += chunk;
      if (typeof cb === "function") cb();
      return true;
    },
  };
  return s;
}

const ESC = /\x1b\[/;

function jsonLines(out: string): Record<string, unknown>[] {
  assert.ok(out.endsWith("\n"), "every line ends with a newline");
  return out
    .slice(0, -1)
    .split("\n")
    .map((l, i) => {
      try {
        const v = JSON.parse(l) as unknown;
        assert.ok(v !== null && typeof v === "object" && !Array.isArray(v), `line ${i + 1} is an object`);
        return v as Record<string, unknown>;
      } catch (e) {
        throw new Error(`line ${i + 1} is not JSON: ${JSON.stringify(l)} (${(e as Error).message})`);
      }
    });
}

test("not a TTY → JSON lines only: step events with epoch/step/total/metrics, log, info and done", () => {
  const s = sink(false);
  const p = createProgress({ total: 4, label: "train", stream: s });
  assert.equal(p.mode, "json");
  p.info("starting <lstm> & co");
  for (let step = 1; step <= 4; step++) p.update(step, { epoch: step <= 2 ? 1 : 2, loss: 5 - step, ppl: Math.exp(5 - step), tokPerSec: 1000 * step });
  p.log({ event: "epoch", epoch: 2, valLoss: 1.5 });
  p.stop();
  p.stop(); // idempotent
  assert.doesNotMatch(s.out, ESC, "no terminal control codes");
  const lines = jsonLines(s.out);
  assert.deepEqual(lines.map((l) => l.event), ["info", "step", "step", "step", "step", "epoch", "done"]);
  assert.equal(lines[0]!.message, "starting <lstm> & co");
  const first = lines[1]!;
  assert.equal(first.label, "train");
  assert.equal(first.epoch, 1);
  assert.equal(first.step, 1);
  assert.equal(first.total, 4);
  assert.equal(first.loss, 4);
  assert.equal(first.tokPerSec, 1000);
  assert.equal(typeof first.elapsedSec, "number");
  assert.deepEqual(Object.keys(first).slice(0, 5), ["event", "label", "epoch", "step", "total"]);
  assert.equal(lines[4]!.epoch, 2);
  assert.equal(lines[5]!.valLoss, 1.5);
  assert.equal(lines[6]!.step, 4);
  // Updates after stop() are ignored.
  const before = s.out;
  p.update(5, { loss: 1 });
  assert.equal(s.out, before);
});

test("--json on a TTY still gives JSON only (never a bar)", () => {
  const s = sink(true);
  const p = createProgress({ total: 3, json: true, stream: s });
  assert.equal(p.mode, "json");
  p.update(1, { loss: 1 });
  p.info("hello");
  p.stop();
  assert.doesNotMatch(s.out, ESC);
  assert.doesNotMatch(s.out, /█|░/);
  assert.equal(jsonLines(s.out).length, 3);
});

test("JSON: a diverged loss is written as null and every line is still valid JSON", () => {
  const s = sink(false);
  const p = createProgress({ total: 2, stream: s });
  p.update(1, { loss: NaN, ppl: Infinity });
  p.stop();
  const [step] = jsonLines(s.out);
  assert.equal(step!.loss, null);
  assert.equal(step!.ppl, null);
});

test("JSON: jsonEvery thins step lines but the final step is always written", () => {
  const s = sink(false);
  const p = createProgress({ total: 10, stream: s, jsonEvery: 4 });
  for (let i = 1; i <= 7; i++) p.update(i, { loss: i });
  p.stop();
  const steps = jsonLines(s.out).filter((l) => l.event === "step").map((l) => l.step);
  assert.deepEqual(steps, [4, 7], "every 4th update, then the last one at stop()");
  const s2 = sink(false);
  const p2 = createProgress({ total: 5, stream: s2, jsonEvery: 3 });
  for (let i = 1; i <= 5; i++) p2.update(i, {});
  p2.stop();
  assert.deepEqual(jsonLines(s2.out).filter((l) => l.event === "step").map((l) => l.step), [3, 5]);
});

test("TTY → a bar with epoch, step/total, loss, ppl, throughput and ETA; info lines print above it", () => {
  const s = sink(true);
  const p = createProgress({ total: 10, label: "train", stream: s, epochs: 2 });
  assert.equal(p.mode, "bar");
  p.update(3, { epoch: 1, loss: 2.5, ppl: 12.18, tokPerSec: 12345 });
  p.info("checkpoint saved");
  p.log({ event: "epoch", epoch: 1, valLoss: 2.25 });
  p.update(10, { epoch: 2, loss: 2, acc: 0.825, exPerSec: 50 });
  p.stop();
  const plain = s.out.replace(/\x1b\[[0-9;]*[A-Za-z]|\x1b[78]/g, "");
  assert.doesNotMatch(s.out, /\{"event"/, "no JSON in bar mode");
  assert.match(plain, /checkpoint saved\n/);
  assert.match(plain, /epoch: epoch=1 valLoss=2\.25\n/);
  assert.match(plain, /train █+░* +30% │ epoch 1\/2 │ step 3\/10 │ loss 2\.5000 │ ppl 12\.18 │ 12\.3k tok\/s │ ETA /);
  // The final bar is drawn after the messages, complete, with the final metrics.
  const finalAt = plain.lastIndexOf("step 10/10");
  assert.ok(finalAt > plain.indexOf("checkpoint saved"), "the bar is redrawn below the message");
  assert.match(plain.slice(finalAt), /loss 2\.0000 │ acc 82\.5% │ 50\.0 ex\/s │ took \d+s\n$/);
  assert.match(plain, /█{24} 100%/);
  // After stop(), messages are plain lines.
  const len = s.out.length;
  p.info("done");
  assert.equal(s.out.slice(len), "done\n");
});

test("formatting helpers", () => {
  assert.equal(formatDuration(42.4), "42s");
  assert.equal(formatDuration(185), "3m05s");
  assert.equal(formatDuration(3720), "1h02m");
  assert.equal(formatDuration(NaN), "--");
  assert.equal(formatRate(950), "950");
  assert.equal(formatRate(12345), "12.3k");
  assert.equal(formatRate(4_560_000), "4.56M");
  assert.equal(formatRate(3.14159), "3.14");
  assert.deepEqual(formatMetrics({ loss: 1.23456, ppl: 3.437, gradNorm: 0.123456, tokPerSec: 2000 }), ["loss 1.2346", "ppl 3.44", "gradNorm 0.1235", "2000 tok/s"]);
  assert.deepEqual(formatMetrics({ loss: NaN, lr: 0.001 }), ["loss NaN", "lr 1.0e-3"]);
});

test("createProgress rejects a bad total", () => {
  assert.throws(() => createProgress({ total: NaN, stream: sink(false) }), /total must be/);
});
