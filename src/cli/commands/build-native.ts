/**
 * `rnnkit build-native`: compile the native C++ backend in an installed package.
 *
 * In rnnkit's own folder `npm install` builds the addon (the build script runs
 * scripts/build-native.mjs). Installed as a dependency, rnnkit runs no install script (npm ≥ 11
 * runs none of a dependency's unless the project allows it), so it starts on its WebAssembly
 * kernels and this command is how a project gets the native ones: it runs the same script, in
 * the installed package, and then shows `rnnkit backends`.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { action } from "../common.js";

/** scripts/build-native.mjs at the package root (this file runs from dist/src/cli/commands/). */
const SCRIPT = fileURLToPath(new URL("../../../../scripts/build-native.mjs", import.meta.url));
const MAIN = fileURLToPath(new URL("../main.js", import.meta.url));

export function registerBuildNativeCommand(program: Command): void {
  program
    .command("build-native")
    .description("compile the native C++ backend (AVX2/AVX-512 kernels) for this machine; needs a C++ compiler and Node's headers. Without it rnnkit runs on WebAssembly")
    .option("--force", "rebuild even if the addon is up to date")
    .action(
      action((opts: { force?: boolean }) => {
        const r = spawnSync(process.execPath, [SCRIPT, "--strict", ...(opts.force ? ["--force"] : [])], { stdio: "inherit" });
        if (r.error) throw new Error(`build-native: could not run ${SCRIPT}: ${r.error.message}`);
        if (r.status !== 0) {
          process.exitCode = r.status ?? 1;
          return;
        }
        // this process chose its backend at start-up; a fresh one loads the new addon
        spawnSync(process.execPath, [MAIN, "backends", "--no-speed"], { stdio: "inherit" });
      }),
    );
}
