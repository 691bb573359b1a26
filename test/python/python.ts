/**
 * Finding a Python that has a given module (torch, onnx): $RNNKIT_PYTHON, then python3 on PATH,
 * then the system /usr/bin/python3 (Debian's python3-torch / python3-onnx install there, which a
 * pyenv or venv python3 earlier on PATH does not see).
 */
import { spawnSync } from "node:child_process";

const cache = new Map<string, string | null>();

export function pythonWith(module: string): string | null {
  if (cache.has(module)) return cache.get(module)!;
  const candidates = [process.env.RNNKIT_PYTHON, "python3", "/usr/bin/python3"].filter((p): p is string => Boolean(p));
  let found: string | null = null;
  for (const py of candidates) {
    const r = spawnSync(py, ["-c", `import ${module}`], { encoding: "utf8", timeout: 60_000 });
    if (r.status === 0) {
      found = py;
      break;
    }
  }
  cache.set(module, found);
  return found;
}
