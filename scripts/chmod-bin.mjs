#!/usr/bin/env node
/**
 * Makes every file named in package.json's "bin" executable (rwxr-xr-x).
 *
 *   node scripts/chmod-bin.mjs        (the build runs it right after tsc)
 *
 * tsc writes dist/src/cli/main.js as an ordinary 0644 file. An installed dependency gets its bin
 * made executable by npm, but in the package's own folder (a fresh clone) `npx rnnkit` runs the
 * file directly, and without the execute bit the shell answers "Permission denied". So the build
 * sets the bit itself instead of relying on anything else to.
 */
import { chmodSync, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const bins = typeof pkg.bin === "string" ? [pkg.bin] : Object.values(pkg.bin ?? {});
for (const rel of bins) {
  const file = join(root, rel);
  if (!existsSync(file)) {
    console.error(`rnnkit: bin ${rel} not found (hint: compile first: npx tsc -p tsconfig.json)`);
    process.exit(1);
  }
  if (!readFileSync(file, "utf8").startsWith("#!")) {
    console.error(`rnnkit: bin ${rel} does not start with a #! line; a shell cannot run it`);
    process.exit(1);
  }
  chmodSync(file, statSync(file).mode | 0o755);
}
