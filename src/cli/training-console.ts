/**
 * What a training command shows while the shared loop runs, once for every such command: info
 * lines (through the progress bar, or as JSON `info` events), a progress bar or JSON `step`
 * events over the steps still to run (a resumed run starts where it stopped), `epoch` and other
 * events, and Ctrl-C or SIGTERM: the first asks the loop to stop after its step (it saves the state), a
 * second quits at once.
 */
import { interruptFlag } from "./common.js";
import { type Progress, createProgress } from "./progress.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);

export interface TrainingConsole {
  readonly json: boolean;
  /** An info line. */
  log(message: string): void;
  /** A (new) progress bar over `epochs × stepsPerEpoch − startStep` steps. */
  start(o: { label: string; epochs: number; stepsPerEpoch: number; startStep: number }): void;
  /** After a step: `globalStep` counts from the run's first step. */
  step(globalStep: number, fields: Record<string, number>): void;
  /** A JSON event (shown as a line above the bar in a terminal). */
  event(e: Record<string, unknown>): void;
  /** Ctrl-C was pressed (or SIGTERM arrived). */
  readonly stopRequested: boolean;
  /** The exit code of a run that stopped on a signal: 130 (Ctrl-C) or 143 (SIGTERM). */
  readonly interruptExitCode: number;
  /** Remove the bar (before printing results). */
  stop(): void;
  /** Remove the bar and the Ctrl-C handler. */
  dispose(): void;
}

export function trainingConsole(json: boolean): TrainingConsole {
  let bar: Progress | null = null;
  let base = 0;
  const log = (m: string): void => (bar ? bar.info(m) : say(json ? JSON.stringify({ event: "info", message: m }) : m));
  const intr = interruptFlag((sig) => log(`${sig}: stopping after this step and saving the training state… (${sig === "Ctrl-C" ? "press again" : "again"} to quit at once)`));
  const stop = (): void => {
    bar?.stop();
    bar = null;
  };
  return {
    json,
    log,
    start: (o) => {
      stop();
      base = o.startStep;
      bar = createProgress({ total: Math.max(1, o.epochs * o.stepsPerEpoch - o.startStep), label: o.label, json, epochs: o.epochs, jsonEvery: 20 });
    },
    step: (globalStep, fields) => bar?.update(globalStep - base, fields),
    event: (e) => (bar ? bar.log(e) : say(JSON.stringify(e))),
    get stopRequested() {
      return intr.stop;
    },
    get interruptExitCode() {
      return intr.exitCode;
    },
    stop,
    dispose: () => {
      stop();
      intr.dispose();
    },
  };
}
