#!/usr/bin/env node
/**
 * npm's `prepare` step: `npm run build`, except when npm runs it for `npx rnnkit …`.
 *
 * `npx rnnkit` in rnnkit's own folder (a fresh clone after `npm install`) makes npm link the folder
 * into its npx cache, and linking a folder runs its `prepare` script — the whole build again,
 * silently, before the first command prints anything. `npm install` has just built everything, so
 * under `npx` (npm_command=exec) this only checks that the CLI is there. Every other caller
 * (`npm install`, `npm pack`, `npm publish`) builds.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
if (process.env.npm_command === "exec" && existsSync(join(root, "dist", "src", "cli", "main.js"))) process.exit(0);

const npm = process.env.npm_execpath;
const r = npm ? spawnSync(process.execPath, [npm, "run", "build"], { cwd: root, stdio: "inherit" }) : spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
if (r.error) console.error(`rnnkit: could not run npm run build: ${r.error.message}`);
process.exit(r.status ?? 1);
