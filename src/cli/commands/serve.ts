import { existsSync } from "node:fs";
import type { Command } from "commander";
import { loadClassifier, loadLm } from "../../io/checkpoint.js";
import { shippedModelPath } from "../../sentiment/shipped.js";
import { DEFAULT_LIMITS, createServer } from "../../serve/server.js";
import { action, intArg, numArg } from "../common.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);
const DEFAULT_LM = "runs/lm/model.safetensors";

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("HTTP JSON server: POST /classify, /next, /generate; GET /health, /metrics")
    .option("--classifier <path>", "classifier checkpoint (default: runs/classifier/model.safetensors, else the shipped IMDB BiLSTM, unless only --lm is given)")
    .option("--lm <path>", `language-model checkpoint (default: ${DEFAULT_LM} when it exists)`)
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--port <n>", "port (0: any free port)", intArg("--port", 0), 8080)
    .option("--max-batch <n>", "texts per classifier batch", intArg("--max-batch"), 64)
    .option("--max-wait-ms <ms>", "longest wait for a batch to fill", numArg("--max-wait-ms", 0, 1000), 2)
    .option("--max-queue <n>", "requests that may wait per route; more get 503 + Retry-After", intArg("--max-queue"), 256)
    .option("--body-limit <bytes>", "largest request body (413 above)", intArg("--body-limit", 64), DEFAULT_LIMITS.bodyLimit)
    .option("--max-texts <n>", "texts per /classify request", intArg("--max-texts"), DEFAULT_LIMITS.maxTexts)
    .option("--max-text-chars <n>", "characters per text or prompt", intArg("--max-text-chars"), DEFAULT_LIMITS.maxTextChars)
    .option("--max-generate <n>", "tokens per /generate request", intArg("--max-generate"), DEFAULT_LIMITS.maxGenerateLength)
    .option("--log", "log every request (JSON lines)")
    .addHelpText(
      "after",
      `
Examples:
  rnnkit serve --lm runs/lm/model.safetensors --port 8080
  curl -s localhost:8080/classify -H 'content-type: application/json' -d '{"texts": ["a gorgeous, witty film"]}'
  curl -s localhost:8080/next -H 'content-type: application/json' -d '{"text": "the company said it", "k": 5}'
  curl -s localhost:8080/generate -H 'content-type: application/json' -d '{"text": "the", "length": 20, "seed": 1}'
SIGTERM or Ctrl-C: stops accepting connections, finishes the requests in flight, exits 0.`,
    )
    .action(
      action(async (o: Record<string, unknown>) => {
        const lmPath = o.lm ? String(o.lm) : !o.classifier && existsSync(DEFAULT_LM) ? DEFAULT_LM : null;
        const clsPath = o.classifier ? String(o.classifier) : o.lm ? null : shippedModelPath();
        const classifier = clsPath ? loadClassifier(clsPath) : null;
        const lm = lmPath ? loadLm(lmPath) : null;
        const server = await createServer({
          classifier,
          lm,
          maxBatch: Number(o.maxBatch),
          maxWaitMs: Number(o.maxWaitMs),
          maxQueue: Number(o.maxQueue),
          bodyLimit: Number(o.bodyLimit),
          maxTexts: Number(o.maxTexts),
          maxTextChars: Number(o.maxTextChars),
          maxGenerateLength: Number(o.maxGenerate),
          logger: Boolean(o.log),
        });
        const url = await server.app.listen({ host: String(o.host), port: Number(o.port) });
        say(`rnnkit serve: listening on ${url}${clsPath ? ` · classifier ${clsPath}` : ""}${lmPath ? ` · language model ${lmPath}` : ""}`);
        await new Promise<void>((resolve) => {
          const stop = (sig: string): void => {
            say(`rnnkit serve: ${sig}, finishing requests in flight…`);
            process.off("SIGTERM", onTerm);
            process.off("SIGINT", onInt);
            server.close().then(resolve, (e: Error) => {
              process.stderr.write(`rnnkit serve: ${e.message}\n`);
              process.exitCode = 1;
              resolve();
            });
          };
          const onTerm = (): void => stop("SIGTERM");
          const onInt = (): void => stop("SIGINT");
          process.on("SIGTERM", onTerm);
          process.on("SIGINT", onInt);
        });
        say("rnnkit serve: stopped");
      }),
    );
}
