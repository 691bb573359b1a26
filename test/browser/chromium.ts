/**
 * Headless Chromium for the browser tests and the browser benchmark: Debian's `chromium` driven by
 * playwright-core (which downloads no browser of its own), the built playground served on
 * 127.0.0.1 by examples/playground/serve.mjs.
 *
 * Chromium is launched with a fresh profile folder and without every background service that
 * would reach for the network (this machine has none; without these flags Chromium retries
 * refused connections all along). CHROMIUM_PATH overrides where the browser is looked for.
 *
 * When the browser, playwright-core or dist/playground is missing, `browserUnavailable()` says
 * why: tests then skip with that message, except under CI=true, where they fail (CI installs
 * Chromium in .ci/run).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { REPO_ROOT } from "../helpers/shared.js";

export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The built playground: dist/playground, or $RNNKIT_PLAYGROUND_DIR (e.g. a build of changed sources). */
export const PLAYGROUND_DIR = process.env.RNNKIT_PLAYGROUND_DIR ?? join(REPO_ROOT, "dist", "playground");

/** The Chromium executable: $CHROMIUM_PATH, else Debian's and other usual locations. */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

async function playwright(): Promise<typeof import("playwright-core") | null> {
  try {
    return await import("playwright-core");
  } catch {
    return null;
  }
}

/** Why the browser tests cannot run here (null: they can). */
export async function browserUnavailable(needPlayground = true): Promise<string | null> {
  if (!findChromium()) return "no Chromium found (apt-get install chromium, or set CHROMIUM_PATH); browser tests skipped";
  if (!(await playwright())) return "playwright-core is not installed (a devDependency: npm install --include=dev); browser tests skipped";
  if (needPlayground && !existsSync(join(PLAYGROUND_DIR, "index.html"))) return `${PLAYGROUND_DIR} not built (npm run build); browser tests skipped`;
  return null;
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serve a folder on 127.0.0.1 (cross-origin isolated unless `isolated` is false). */
export async function serve(o: { dir?: string; isolated?: boolean } = {}): Promise<Served> {
  const mod = (await import(pathToFileURL(join(REPO_ROOT, "examples", "playground", "serve.mjs")).href)) as {
    startServer(o: { dir?: string; port?: number; isolated?: boolean }): Promise<Served>;
  };
  return mod.startServer({ dir: o.dir ?? PLAYGROUND_DIR, port: 0, isolated: o.isolated ?? true });
}

export interface Browser {
  context: BrowserContext;
  /** A new tab that records page errors and console errors (see `errors`). */
  page(): Promise<Page>;
  errors: string[];
  close(): Promise<void>;
}

/** Launch headless Chromium with a fresh profile folder (removed on close). */
export async function launchChromium(o: { width?: number; height?: number } = {}): Promise<Browser> {
  const pw = await playwright();
  const exe = findChromium();
  if (!pw || !exe) throw new Error("launchChromium: Chromium or playwright-core missing (see browserUnavailable())");
  const profile = mkdtempSync(join(tmpdir(), "rnnkit-chromium-"));
  const context = await pw.chromium.launchPersistentContext(profile, {
    executablePath: exe,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: o.width ?? 1200, height: o.height ?? 900 },
    acceptDownloads: true,
  });
  const errors: string[] = [];
  return {
    context,
    errors,
    async page() {
      const p = await context.newPage();
      p.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
      p.on("console", (m) => {
        if (m.type() === "error") errors.push(`console: ${m.text()}`);
      });
      return p;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
