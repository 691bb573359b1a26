/**
 * The command registry: every command group of the rnnkit CLI, in the order `rnnkit --help` lists
 * them. A new command lives in its own file here and adds its register function to this list.
 */
import type { Command } from "commander";
import { registerAnalysisCommands } from "./analysis.js";
import { registerBackendsCommand } from "./backends.js";
import { registerBuildNativeCommand } from "./build-native.js";
import { registerCompareCommand } from "./compare.js";
import { registerEmbeddingCommands } from "./embeddings.js";
import { registerExportCommands } from "./export.js";
import { registerLmCommands } from "./lm.js";
import { registerSentimentCommands } from "./sentiment.js";
import { registerServeCommand } from "./serve.js";
import { registerUlmfitCommand } from "./ulmfit.js";

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerLmCommands,
  registerSentimentCommands,
  registerUlmfitCommand,
  registerAnalysisCommands,
  registerCompareCommand,
  registerEmbeddingCommands,
  registerBackendsCommand,
  registerBuildNativeCommand,
  registerExportCommands,
  registerServeCommand,
];
