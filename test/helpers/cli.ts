import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./shared.js";

export const CLI = join(REPO_ROOT, "dist", "src", "cli", "main.js");

/** Run the rnnkit CLI to completion (no TTY: progress comes as JSON lines). */
export function runCli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", input: opts.input ?? "", env: { ...process.env, ...opts.env }, timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** JSON objects among the lines of an output. */
export const jsonLines = (s: string): Array<Record<string, unknown>> =>
  s.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);

export { spawn };
