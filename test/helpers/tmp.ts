/**
 * Temporary folders for tests: `tempDir("lm")` makes /tmp/rnnkit-lm-XXXXXX and removes it when the
 * test file's process exits (`node --test` runs each file in its own process), so repeated runs of
 * the suite leave nothing behind. RNNKIT_KEEP_TMP=1 keeps them, to look inside after a failure.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rnnkit-${name}-`));
  if (made.length === 0) process.once("exit", removeAll);
  made.push(dir);
  return dir;
}

function removeAll(): void {
  if (process.env.RNNKIT_KEEP_TMP) return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
}
