/**
 * The playground (dist/playground, built by `npm run build`) in a real browser: headless Chromium
 * loads each view, types, clicks and waits like a person, and the test checks what the page shows
 * against the Node library on the same model files (./chromium.ts says how Chromium is run; no
 * Chromium → skipped with a message, or failed under CI=true).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { classifyTexts, encodePrompt, generate, loadClassifier, loadLm, loadLmFromBytes, lstmGates, predictNext, tokenize } from "../../src/index.js";
import { type Browser, PLAYGROUND_DIR, type Served, browserUnavailable, launchChromium, serve } from "../helpers/chromium.js";

const why = await browserUnavailable();
if (why && process.env.CI === "true") test("browser tests can run (CI)", () => assert.fail(`${why} — under CI=true this is a failure (.ci/run installs chromium)`));
const skip = why ?? false;

const models = JSON.parse(readFileSync(join(PLAYGROUND_DIR, "models.json"), "utf8")) as Record<"languageModel" | "unidirectional" | "bidirectional", { file: string }>;
const lm = loadLm(join(PLAYGROUND_DIR, models.languageModel.file));

let browser: Browser;
let server: Served;
before(async () => {
  if (skip) return;
  [browser, server] = await Promise.all([launchChromium(), serve()]);
});
after(async () => {
  if (skip) return;
  await Promise.all([browser.close(), server.close()]);
});

/** Open a view and wait until it has rendered its results (or failed: then say why). */
async function openView(name: string, base = server.url): Promise<Page> {
  const page = await browser.page();
  await page.goto(`${base}#${name}`);
  await page.waitForSelector(`#view-${name}[data-ready], #view-${name}[data-error]`, { timeout: 20000 });
  const err = await page.getAttribute(`#view-${name}`, "data-error");
  assert.equal(err, null, `the ${name} view failed: ${err}`);
  return page;
}

test("next word: candidates under the cursor are vocabulary words, sum ≤ 1, equal predictNext; a click appends; generate samples", { skip }, async () => {
  const page = await openView("next");
  await page.fill("#nw-text", "");
  await page.click("#nw-text");
  await page.keyboard.type("the white", ); // keystroke by keystroke: one input event each
  await page.waitForSelector('#nw-popup[data-prompt="the white"]:not([hidden]) .candidate');
  const shown = await page.$$eval("#nw-popup .candidate", (bs) => bs.map((b) => ({ token: b.getAttribute("data-token")!, prob: Number(b.getAttribute("data-prob")) })));
  assert.equal(shown.length, 8);
  for (const c of shown) assert.ok(lm.vocab.get(c.token) !== undefined, `"${c.token}" is not a word of the model's vocabulary`);
  const sum = shown.reduce((s, c) => s + c.prob, 0);
  assert.ok(sum > 0 && sum <= 1, `probabilities sum to ${sum}`);
  const want = predictNext(lm.model, lm.vocab, "the white", { k: 8 }).next;
  assert.deepEqual(shown.map((c) => c.token), want.map((w) => w.token));
  shown.forEach((c, i) => assert.ok(Math.abs(c.prob - want[i]!.prob) <= 1e-5, `P(${c.token}): page ${c.prob}, Node ${want[i]!.prob}`));
  // descending order, as shown
  for (let i = 1; i < shown.length; i++) assert.ok(shown[i]!.prob <= shown[i - 1]!.prob);

  // clicking a candidate writes it at the caret and asks again
  const first = shown[0]!.token;
  await page.click("#nw-popup .candidate >> nth=0");
  const expectPrompt = /^[.,;:!?’”)]/.test(first) ? `the white${first} ` : `the white ${first} `;
  assert.equal(await page.inputValue("#nw-text"), expectPrompt);
  await page.waitForSelector(`#nw-popup[data-prompt="${expectPrompt}"] .candidate`);

  // generate with temperature 0.5, top-p 0.9, seed 3: the same text as the Node library
  await page.fill("#nw-text", "call me ishmael");
  await page.fill("#nw-temp", "0.5");
  await page.fill("#nw-topp", "0.9");
  await page.fill("#nw-length", "12");
  await page.fill("#nw-seed", "3");
  await page.click("#nw-generate");
  const cont = await page.textContent("#nw-continuation");
  assert.equal(await page.getAttribute("#nw-continuation", "data-tokens"), "12");
  const g = generate(lm.model, lm.vocab, "call me ishmael", { length: 12, temperature: 0.5, topP: 0.9, seed: 3 });
  assert.equal(cont, g.text.trim());
  assert.ok((await page.inputValue("#nw-text")).includes(cont!), "the continuation is appended to the text");
  assert.equal(await page.inputValue("#nw-seed"), "4", "the next sample gets a new seed");
  await page.close();
});

test("inside the LSTM: each heatmap has one column per token; hover shows the token's gate values; units can be chosen", { skip }, async () => {
  const page = await openView("inside");
  const text = "Call me Ishmael, said the old whale.";
  await page.fill("#in-text", text);
  const enc = encodePrompt(lm.vocab, text);
  await page.waitForSelector(`#in-heatmaps[data-tokens="${enc.tokens.length}"] figure.heatmap`);
  const figures = await page.$$eval("#in-heatmaps figure.heatmap", (fs) =>
    fs.map((f) => ({ kind: f.getAttribute("data-kind"), cols: Array.from(f.querySelectorAll("th.tok"), (t) => t.textContent), rows: Array.from(f.querySelectorAll("tbody tr"), (r) => r.querySelectorAll("td").length) })),
  );
  assert.deepEqual(figures.map((f) => f.kind), ["forget", "input", "output", "cell"]);
  for (const f of figures) {
    assert.deepEqual(f.cols, enc.tokens, `${f.kind}: one column per token, in order`);
    assert.equal(f.rows.length, 1 + 16, `${f.kind}: the mean row and 16 units`);
    for (const n of f.rows) assert.equal(n, enc.tokens.length);
  }
  // hover token 3 in the forget-gate map: the readout names it and gives the mean forget gate
  const gates = lstmGates(lm.model, [lm.vocab.eosId, ...enc.ids])[0]!;
  const H = gates.hiddenSize, t = 3;
  let fMean = 0;
  for (let u = 0; u < H; u++) fMean += gates.forget[(t + 1) * H + u]! / H;
  await page.hover(`figure[data-kind="forget"] td[data-t="${t}"][data-u="mean"]`);
  await page.waitForSelector(`#in-hover[data-t="${t}"]`);
  const readout = (await page.textContent("#in-hover"))!;
  assert.ok(readout.includes(`“${enc.tokens[t]}”`), readout);
  assert.ok(readout.includes(`f ${fMean.toFixed(3)}`), `mean forget gate ${fMean.toFixed(3)} (Node) not in: ${readout}`);
  const cellV = Number(await page.getAttribute(`figure[data-kind="forget"] td[data-t="${t}"][data-u="mean"]`, "data-v"));
  assert.ok(Math.abs(cellV - fMean) <= 1e-4);
  // units 16–31 instead of the most varying ones
  await page.selectOption("#in-units", "range:16");
  await page.waitForFunction(() => document.querySelector('figure[data-kind="input"] tbody tr:nth-child(2) th')?.textContent === "16");
  const labels = await page.$$eval('figure[data-kind="input"] tbody th.unit', (ths) => ths.map((th) => th.textContent));
  assert.deepEqual(labels, ["mean", ...Array.from({ length: 16 }, (_, j) => String(16 + j))]);
  // the trajectory: one point per token
  assert.equal(await page.locator("#in-trajectory circle").count(), enc.tokens.length);
  await page.close();
});

test("reading direction: prefix-by-prefix and bidirectional probabilities and leave-one-out contributions match the models in Node", { skip }, async () => {
  const page = await openView("direction");
  const uni = loadClassifier(join(PLAYGROUND_DIR, models.unidirectional.file));
  const bi = loadClassifier(join(PLAYGROUND_DIR, models.bidirectional.file));
  const check = async (text: string): Promise<void> => {
    const words = tokenize(text, uni.pipeline.tokenize);
    await page.waitForFunction((n) => document.querySelectorAll("#rd-uni .chips.prefix .chip").length === n, words.length);
    for (const [box, clf] of [["#rd-uni", uni], ["#rd-bi", bi]] as const) {
      const pPos = (ts: string[]): number[] => classifyTexts(clf, ts).map((p) => p.probs["pos"]!);
      const [full] = pPos([text]);
      const shown = Number(await page.getAttribute(`${box} .verdict`, "data-prob"));
      assert.ok(Math.abs(shown - full!) <= 1e-5, `${box}: P(pos) page ${shown}, Node ${full}`);
      const prefix = await page.$$eval(`${box} .chips.prefix .chip`, (cs) => cs.map((c) => ({ w: c.getAttribute("data-word"), v: Number(c.getAttribute("data-value")) })));
      assert.deepEqual(prefix.map((c) => c.w), words);
      const wantPrefix = pPos(words.map((_, k) => words.slice(0, k + 1).join(" ")));
      prefix.forEach((c, k) => assert.ok(Math.abs(c.v - wantPrefix[k]!) <= 1e-5, `${box} prefix ${k}`));
      const contrib = await page.$$eval(`${box} .chips.contrib .chip`, (cs) => cs.map((c) => Number(c.getAttribute("data-value"))));
      const without = pPos(words.map((_, k) => words.filter((__, j) => j !== k).join(" ")));
      assert.equal(contrib.length, words.length);
      contrib.forEach((v, k) => assert.ok(Math.abs(v - (full! - without[k]!)) <= 1e-5, `${box} contribution of "${words[k]}"`));
    }
  };
  assert.equal(await page.inputValue("#rd-text"), "The movie was terribly exciting!");
  await check("The movie was terribly exciting!");
  await page.click('#view-direction button[data-text="The acting was not good at all."]');
  await check("The acting was not good at all.");
  assert.match((await page.textContent("#rd-summary"))!, /Reading left to right, P\(positive\) goes/);
  assert.match((await page.textContent("#view-direction"))!, /leave-one-out/);
  await page.close();
});

test("train in the page: the loss falls within 25 steps on 2 wasm threads; pause holds; the downloaded checkpoint gives the page's next-word probabilities in Node (1e-5)", { skip }, async () => {
  const page = await openView("train");
  assert.match((await page.textContent("#tr-isolation"))!, /Cross-origin isolated/);
  await page.selectOption("#tr-hidden", "64");
  await page.selectOption("#tr-threads", "2");
  await page.click("#tr-start");
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>("#tr-stats")?.dataset["step"] ?? 0) >= 25, null, { timeout: 40000 });
  assert.equal(await page.getAttribute("#tr-backend", "data-threads"), "2", (await page.textContent("#tr-backend")) ?? "");
  const first = Number(await page.getAttribute("#tr-stats", "data-first-loss"));
  const loss = Number(await page.getAttribute("#tr-stats", "data-loss"));
  assert.ok(first > 7 && first < 8.2, `first loss ${first} should be near ln(2000) = 7.6`);
  assert.ok(loss < first - 0.5, `after 25+ steps the mean loss of the last steps is ${loss}, the first was ${first}`);
  // drawn at every step until the curve is a line (then at most every 500 ms), so the line is there by step 25
  assert.ok((await page.locator("#tr-chart-loss svg polyline, #tr-chart-loss svg path").count()) > 0, "the loss chart is drawn");

  await page.click("#tr-pause");
  await page.waitForSelector('#tr-stats[data-paused="true"]');
  const held = await page.getAttribute("#tr-stats", "data-step");
  await page.waitForTimeout(400);
  assert.equal(await page.getAttribute("#tr-stats", "data-step"), held, "no step while paused");

  const download = page.waitForEvent("download");
  await page.click("#tr-download");
  const file = await (await download).path();
  await page.waitForSelector("#tr-probe[data-next]");
  const shown = JSON.parse((await page.getAttribute("#tr-probe", "data-next"))!) as { token: string; prob: number }[];
  const { model, vocab } = loadLmFromBytes(new Uint8Array(readFileSync(file)), "downloaded checkpoint");
  const want = predictNext(model, vocab, "the white", { k: 10 }).next;
  assert.deepEqual(shown.map((n) => n.token), want.map((n) => n.token));
  shown.forEach((n, i) => assert.ok(Math.abs(n.prob - want[i]!.prob) <= 1e-5, `P(${n.token}): page ${n.prob}, Node ${want[i]!.prob}`));

  await page.click("#tr-pause"); // resume
  await page.waitForFunction((s) => Number(document.querySelector<HTMLElement>("#tr-stats")?.dataset["step"]) > s, Number(held));
  await page.close();
});

test("vanishing gradients: moving the sliders recomputes both curves (larger W_hh and forget bias keep more gradient)", { skip }, async () => {
  const page = await openView("gradients");
  const at = (cell: string, d: number): Promise<number> => page.getAttribute(`#vg-readout tr[data-cell="${cell}"] td[data-d="${d}"]`, "data-v").then(Number);
  const rnn0 = await at("rnn", 30), lstm0 = await at("lstm", 59);
  assert.ok(rnn0 > 0 && lstm0 > 0);
  assert.ok(lstm0 > (await at("rnn", 59)), "at the default setting the LSTM keeps more gradient 59 steps back than the RNN");
  await page.fill("#vg-scale", "2");
  await page.waitForFunction((v) => Number(document.querySelector('#vg-readout tr[data-cell="rnn"] td[data-d="30"]')?.getAttribute("data-v")) !== v, rnn0);
  assert.ok((await at("rnn", 30)) > 100 * rnn0, "W_hh × 2 keeps (or explodes) the RNN's gradient 30 steps back");
  const lstmScaled = await at("lstm", 59);
  await page.fill("#vg-bias", "4");
  await page.waitForFunction((v) => Number(document.querySelector('#vg-readout tr[data-cell="lstm"] td[data-d="59"]')?.getAttribute("data-v")) !== v, lstmScaled);
  assert.ok((await at("lstm", 59)) > 10 * lstmScaled, "a forget bias of 4 keeps far more of the LSTM's gradient");
  assert.match((await page.textContent("#vg-chart"))!, /forget-gate bias 4\.0/);
  await page.close();
});

test("fallbacks: without cross-origin isolation training says so and runs on one thread; without WebAssembly SIMD the page says it uses the reference kernels", { skip }, async () => {
  const plain = await serve({ isolated: false });
  try {
    const page = await openView("train", plain.url);
    assert.match((await page.textContent("#tr-isolation"))!, /not cross-origin isolated/);
    await page.selectOption("#tr-hidden", "64");
    await page.click("#tr-start");
    await page.waitForSelector("#tr-backend[data-threads]", { timeout: 20000 });
    assert.equal(await page.getAttribute("#tr-backend", "data-threads"), "1");
    await page.close();

    const noSimd = await browser.page();
    await noSimd.addInitScript(() => {
      WebAssembly.validate = () => false; // what an engine without SIMD128 answers to rnnkit's probe
    });
    await noSimd.goto(`${plain.url}#next`);
    await noSimd.waitForSelector("#view-next[data-ready]");
    assert.equal(await noSimd.getAttribute("body", "data-backend"), "ref");
    assert.match((await noSimd.textContent("#status"))!, /WebAssembly SIMD is not available .* reference kernels/);
    assert.ok((await noSimd.locator("#nw-popup .candidate").count()) > 0, "the view still works on the reference kernels");
    await noSimd.close();
  } finally {
    await plain.close();
  }
  const errors = browser.errors.filter((e) => !/reference backend/.test(e));
  assert.deepEqual(errors, [], "no page errors in any view");
});
