/**
 * A training run's output path, checked and claimed before the first step: it must be a file path
 * whose folder can be created and written, and no other live run may be writing it. The claim is
 * a lock file beside the checkpoint (`<out>.lock`, holding the owner's pid, host and start time);
 * a lock whose process is gone (kill -9, a crash) is stale and taken over.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";

export interface OutputLock {
  /** The lock file (`<out>.lock`). */
  readonly path: string;
  /** Set when a stale lock of a dead run was taken over: what it said. */
  readonly tookOver: string | null;
  /** Remove the lock (idempotent; also done at process exit). */
  release(): void;
}

interface LockInfo {
  pid: number;
  host: string;
  started: string;
  out: string;
}

/**
 * Check that `out` can be written as a file: a non-empty path, not a directory, in a folder that
 * exists or can be created and is writable. `flag` names the option in errors (e.g. "--out").
 */
export function checkOutputPath(out: string, flag = "--out"): void {
  if (typeof out !== "string" || out.trim() === "") throw new Error(`${flag} must be a file path, got ${JSON.stringify(out)} (hint: e.g. ${flag} runs/model.safetensors)`);
  if (/[\\/]$/.test(out)) throw new Error(`${flag} ${out} names a folder; give a file path (hint: ${flag} ${out.replace(/[\\/]+$/, "")}/model.safetensors)`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new Error(`${flag} ${out} is a directory; give a file path inside it (hint: ${flag} ${out}/model.safetensors)`);
  const dir = dirname(out);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new Error(`${flag} ${out}: cannot create the folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!statSync(dir).isDirectory()) throw new Error(`${flag} ${out}: ${dir} is not a folder`);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
};

/**
 * Check `out` (see checkOutputPath) and lock it for this process. Throws a clear error when
 * another live run holds it, or when the folder is not writable.
 */
export function claimOutput(out: string, flag = "--out"): OutputLock {
  checkOutputPath(out, flag);
  const path = `${out}.lock`;
  const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), out: resolve(out) };
  let tookOver: string | null = null;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeSync(fd, `${JSON.stringify(me)}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") throw new Error(`${flag} ${out}: cannot write in ${dirname(out)} (${code ?? (e as Error).message}) (hint: choose a folder you can write to)`);
      const held = readLock(path);
      if (held && held.pid === process.pid && held.host === me.host) throw new Error(`${flag} ${out} is already being written by this process (hint: one --out per run)`);
      if (held && (held.host !== me.host || alive(held.pid)))
        throw new Error(
          `${flag} ${out} is in use by another run (pid ${held.pid} on ${held.host}, started ${held.started}): two runs writing one checkpoint would overwrite each other (hint: wait for it, or pass another ${flag}; if that run is gone, delete ${path})`,
        );
      if (attempt > 0) throw new Error(`${flag} ${out}: could not take over the stale lock ${path} (hint: delete it)`);
      // stale: its process is gone. Move it aside (atomic), then check that what moved is what
      // was read, so that two runs taking over at once cannot both win.
      const aside = `${path}.stale-${process.pid}`;
      try {
        renameSync(path, aside);
      } catch {
        continue; // someone else moved it first: try to create ours again
      }
      const moved = readLock(aside);
      if (held && moved && moved.pid !== held.pid) {
        renameSync(aside, path); // we moved a fresh lock of another run: put it back
        throw new Error(`${flag} ${out} is in use by another run (pid ${moved.pid}) (hint: wait for it, or pass another ${flag})`);
      }
      unlinkSync(aside);
      tookOver = held ? `pid ${held.pid}, started ${held.started}` : "an unreadable lock";
    }
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off("exit", release);
    const held = readLock(path);
    if (held && held.pid === process.pid) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  };
  process.on("exit", release); // e.g. process.exit(130) on a second Ctrl-C
  return { path, tookOver, release };
}

function readLock(path: string): LockInfo | null {
  try {
    const j = JSON.parse(readFileSync(path, "utf8")) as Partial<LockInfo>;
    return typeof j.pid === "number" && typeof j.host === "string" ? { pid: j.pid, host: j.host, started: String(j.started), out: String(j.out) } : null;
  } catch {
    return null;
  }
}
