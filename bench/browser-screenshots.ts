/**
 * Screenshots of the playground's five views for the docs (docs/img/playground-*.png), taken in
 * headless Chromium as a person would see them: the next-word list under the cursor, a hovered
 * token in the LSTM heatmaps, the reading-direction comparison, training after ~20 s, the
 * gradient curves.
 * usage: npm run build && node dist/bench/browser-screenshots.js [--out docs/img]
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../test/helpers/shared.js";
import { browserUnavailable, launchChromium, serve } from "../test/browser/chromium.js";

const outArg = process.argv.indexOf("--out");
const out = outArg >= 0 ? process.argv[outArg + 1]! : join(REPO_ROOT, "docs", "img");
const why = await browserUnavailable();
if (why) {
  console.error(why);
  process.exit(1);
}
mkdirSync(out, { recursive: true });
const [browser, server] = await Promise.all([launchChromium({ width: 1200, height: 860 }), serve()]);
try {
  const page = await browser.page();
  const open = async (name: string): Promise<void> => {
    await page.goto(`${server.url}#${name}`);
    await page.waitForSelector(`#view-${name}[data-ready]`, { timeout: 30000 });
  };
  const shot = async (name: string, fullPage = false): Promise<void> => {
    const path = join(out, `playground-${name}.png`);
    await page.screenshot({ path, fullPage });
    console.log(`wrote ${path}`);
  };

  await open("next");
  await page.click("#nw-text");
  await page.keyboard.press("End");
  await page.keyboard.press("Control+End");
  await page.waitForSelector("#nw-popup:not([hidden]) .candidate");
  await shot("next-word");

  await open("inside");
  await page.hover('figure[data-kind="forget"] td[data-t="1"][data-u="mean"]');
  await page.setViewportSize({ width: 1200, height: 1500 });
  await shot("inside");
  await page.setViewportSize({ width: 1200, height: 860 });

  await open("direction");
  await shot("direction");

  await open("train");
  await page.click("#tr-start");
  await page.waitForFunction(() => document.querySelectorAll("#tr-samples li").length >= 4 && Number(document.querySelector<HTMLElement>("#tr-stats")?.dataset["step"]) >= 150, null, { timeout: 120000 });
  await page.waitForTimeout(600);
  await shot("train", true);

  await open("gradients");
  await shot("gradients", true);
  if (browser.errors.length) console.warn(`page errors:\n  ${browser.errors.join("\n  ")}`);
} finally {
  await Promise.all([browser.close(), server.close()]);
}
