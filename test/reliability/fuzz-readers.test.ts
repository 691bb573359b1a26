/**
 * Fault injection, the fast part: a few hundred seeded mutations of valid files per reader
 * (safetensors, checkpoints, CSV/TSV/JSONL/JSON, word vectors, corpora). Every case must be
 * accepted (with a sane result) or refused with a RnnkitError; fast-check shrinks a failure to its
 * smallest mutation list. The long run (10⁵ cases per reader, child processes, hang and memory
 * watchdog) is bench/fuzz-readers.ts; docs/reliability.md has its counts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { TARGETS, caseArb, runCase } from "../../bench/fuzz/targets.js";

const RUNS = 250;

for (const t of Object.values(TARGETS)) {
  test(`fuzz ${t.name}: ${RUNS} seeded mutations are accepted or refused with a typed error`, async () => {
    const dir = mkdtempSync(join(tmpdir(), `rnnkit-fuzz-${t.name}-`));
    const seeds = t.seeds();
    const counts = { ok: 0, typed: 0, untyped: 0 };
    try {
      await fc.assert(
        fc.asyncProperty(caseArb(t), async (c) => {
          const r = await runCase(t, c, dir, seeds);
          counts[r.outcome]++;
          assert.notEqual(r.outcome, "untyped", `${r.error} (case ${JSON.stringify(c)})`);
        }),
        { seed: 20, numRuns: RUNS, includeErrorInReport: true },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // the mutations must reach the checks, not only the first byte: some cases are refused, some pass
    assert.ok(counts.typed > RUNS / 20, `${t.name}: only ${counts.typed} of ${RUNS} cases refused`);
  });
}
