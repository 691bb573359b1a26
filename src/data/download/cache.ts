/**
 * Where downloads go: `$RNNKIT_CACHE` if set, else `$XDG_CACHE_HOME/rnnkit`, else
 * `~/.cache/rnnkit`. One sub-folder per dataset.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export function defaultCacheDir(): string {
  const env = process.env.RNNKIT_CACHE;
  if (env !== undefined && env !== "") return resolve(env);
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== "") return join(resolve(xdg), "rnnkit");
  return join(homedir(), ".cache", "rnnkit");
}
