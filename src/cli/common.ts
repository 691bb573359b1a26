import { InvalidArgumentError } from "commander";

/** A user-facing error: printed as one line (no stack trace) and exit code 1. */
export class CliError extends Error {}

export function intArg(name: string, min = 1): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got "${v}"`);
    return n;
  };
}

export function numArg(name: string, min = -Infinity, max = Infinity): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a number in [${min}, ${max}], got "${v}"`);
    return n;
  };
}

export function choiceArg<T extends string>(name: string, choices: readonly T[]): (v: string) => T {
  return (v) => {
    const c = v.toLowerCase() as T;
    if (!choices.includes(c)) throw new InvalidArgumentError(`${name} must be one of ${choices.join(", ")}, got "${v}"`);
    return c;
  };
}

/**
 * "500" → every 500 steps; "90s", "10m", "2h" → every so many seconds of wall-clock time.
 * (`--checkpoint-every`)
 */
export function everyArg(name: string): (v: string) => { steps: number } | { seconds: number } {
  return (v) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h)?\s*$/i.exec(v);
    const n = m ? Number(m[1]) : NaN;
    if (!m || !(n > 0)) throw new InvalidArgumentError(`${name} must be a number of steps (e.g. 500) or a duration (90s, 10m, 2h), got "${v}"`);
    const unit = m[2]?.toLowerCase();
    if (!unit) {
      if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name}: a number of steps must be a whole number, got "${v}" (hint: 90s, 10m for a duration)`);
      return { steps: n };
    }
    return { seconds: n * (unit === "h" ? 3600 : unit === "s" ? 1 : 60) };
  };
}

/** Run an async command body; user errors print one line, anything else prints the stack too. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      const err = e as Error;
      process.stderr.write(`rnnkit: ${err.message}\n`);
      if (process.env.RNNKIT_DEBUG) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 1;
    }
  };
}

/**
 * Installs a handler for Ctrl-C (SIGINT) and SIGTERM (`kill`, a container or job scheduler stopping
 * the process) that asks the running loop to stop, so the training state is saved either way; a second
 * signal exits at once. `exitCode`: 130 after Ctrl-C, 143 after SIGTERM. `onFirst` gets what to call the signal in a message.
 */
export function interruptFlag(onFirst: (signal: "Ctrl-C" | "SIGTERM") => void): { readonly stop: boolean; readonly exitCode: number; dispose(): void } {
  let stop = false;
  // 128 + the signal's number, what a shell reports for a process the signal ended
  let exitCode = 130;
  const handler = (signal: NodeJS.Signals): void => {
    const code = signal === "SIGTERM" ? 143 : 130;
    if (stop) process.exit(code);
    stop = true;
    exitCode = code;
    onFirst(signal === "SIGTERM" ? "SIGTERM" : "Ctrl-C");
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    get stop() {
      return stop;
    },
    get exitCode() {
      return exitCode;
    },
    dispose: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
