/**
 * Where the shared datasets and fixtures live (../shared beside the repository), and the rule for
 * tests that need them: absent → skip with a clear message, except under CI=true where a missing
 * dataset is a failure (CI always has ../shared).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";

/** Repository root (this file is compiled to dist/test/helpers/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const SHARED = process.env.RNNKIT_SHARED ?? resolve(REPO_ROOT, "..", "shared");
export const DATA = join(SHARED, "data");
export const FIXTURES = join(SHARED, "fixtures", "recurrent");

/**
 * Returns the absolute path if it exists. Otherwise skips the test (returns null), or throws
 * when CI=true so that a missing dataset never passes silently.
 */
export function sharedPath(t: TestContext, ...parts: string[]): string | null {
  const p = join(SHARED, ...parts);
  if (existsSync(p)) return p;
  const msg = `${p} not found: this test needs ../shared beside the repository (set RNNKIT_SHARED to override)`;
  if (process.env.CI === "true") throw new Error(msg);
  t.skip(msg);
  return null;
}

/** A fixture tensor as stored in shared/fixtures: { shape, data } row-major. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}
