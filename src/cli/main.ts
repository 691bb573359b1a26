#!/usr/bin/env node
/**
 * The rnnkit command line. Each command lives in ./commands and calls the library; nothing here
 * computes anything itself.
 */
import "../kernels/select.js";
import { Command } from "commander";
import { createRequire } from "node:module";
import { COMMANDS } from "./commands/index.js";
import { bindEnvOptions } from "./env-options.js";

const pkg = createRequire(import.meta.url)("../../../package.json") as { version: string };

// a closed pipe (| head) is a normal way to stop reading, not an error
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

const program = new Command();
program.name("rnnkit").description("Recurrent neural networks: language models, sentiment classifiers, gradient analysis").version(pkg.version).showHelpAfterError();
for (const register of COMMANDS) register(program);
bindEnvOptions(program);
await program.parseAsync(process.argv);
