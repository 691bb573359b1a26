/**
 * View 3, "Reading direction": the lecture's "The movie was terribly exciting!" read by a
 * unidirectional LSTM, prefix by prefix (P(positive) after each word: what it believes while it
 * has not yet seen the rest), and by a bidirectional LSTM, which reads every word with both its
 * left and its right context. Per-word contributions are leave-one-out: P(positive | text) −
 * P(positive | text without that word), computed with each model's own text pipeline.
 */
import { $, debounce, divColor, el, pct, showError } from "./dom.js";
import { classifier, modelsConfig } from "./models.js";
import * as rk from "./rnnkit.js";

export interface Reading {
  words: string[];
  prob: number;
  label: string;
  /** P(positive) after each prefix of 1 … n words. */
  prefix: number[];
  /** Leave-one-out contribution of each word to P(positive). */
  contrib: number[];
}

const posLabel = (clf: rk.ClassifierBundle): string => clf.labels.find((l) => /^pos/i.test(l)) ?? clf.labels[clf.labels.length - 1]!;

/** Everything a column shows, from one batched classifyTexts call. */
export function read(clf: rk.ClassifierBundle, text: string): Reading {
  const words = rk.tokenize(text, clf.pipeline.tokenize);
  const pos = posLabel(clf);
  const n = words.length;
  const texts = [text, ...words.map((_, k) => words.slice(0, k + 1).join(" ")), ...words.map((_, k) => words.filter((__, j) => j !== k).join(" "))];
  const p = rk.classifyTexts(clf, texts).map((r) => r.probs[pos]!);
  const prob = p[0]!;
  return {
    words,
    prob,
    label: prob >= 0.5 ? pos : (clf.labels.find((l) => l !== pos) ?? "neg"),
    prefix: p.slice(1, 1 + n),
    contrib: p.slice(1 + n).map((without) => prob - without),
  };
}

const labelText = (l: string): string => (/^pos/i.test(l) ? "positive" : /^neg/i.test(l) ? "negative" : l);

function chips(words: readonly string[], values: readonly number[], kind: "prefix" | "contrib"): HTMLElement {
  const max = Math.max(1e-6, ...values.map((v) => Math.abs(v)));
  return el(
    "div",
    { class: `chips ${kind}` },
    words.map((w, k) => {
      const v = values[k]!;
      const bg = kind === "prefix" ? divColor(v - 0.5, 0.5) : divColor(v, max);
      const shown = kind === "prefix" ? pct(v, 0) : `${v >= 0 ? "+" : "−"}${Math.abs(100 * v).toFixed(1)}`;
      return el("span", { class: "chip", attrs: { "data-word": w, "data-value": String(v), style: `background:${bg}` } }, [el("span", { class: "w", text: w }), el("span", { class: "v", text: shown })]);
    }),
  );
}

function column(box: HTMLElement, title: string, about: string, r: Reading, prefixTitle: string): void {
  const verdict = el("p", { class: `verdict ${/^pos/i.test(r.label) ? "pos" : "neg"}`, attrs: { "data-prob": String(r.prob), "data-label": r.label } }, [`${labelText(r.label)} — P(positive) = ${pct(r.prob)}`]);
  box.replaceChildren(
    el("h3", { text: title }),
    el("p", { class: "muted", text: about }),
    verdict,
    el("h4", { text: prefixTitle }),
    chips(r.words, r.prefix, "prefix"),
    el("h4", { text: "Each word's contribution to P(positive), in points (leave-one-out)" }),
    chips(r.words, r.contrib, "contrib"),
  );
}

export async function setupDirection(): Promise<void> {
  const input = $<HTMLInputElement>("rd-text");
  const cfg = await modelsConfig();
  const [uni, bi] = await Promise.all([classifier("unidirectional"), classifier("bidirectional")]);
  const render = (): void => {
    const text = input.value;
    if (!text.trim()) return;
    try {
      const u = read(uni, text);
      const b = read(bi, text);
      column($("rd-uni"), "Left to right: a unidirectional LSTM", cfg.unidirectional.about, u, "P(positive) after each word, reading left to right");
      column($("rd-bi"), "Both directions: a bidirectional LSTM", cfg.bidirectional.about, b, "P(positive) had the text ended after each word (read both ways)");
      const turn = u.prefix.findIndex((p, k) => k > 0 && (p >= 0.5) !== (u.prefix[k - 1]! >= 0.5));
      $("rd-summary").textContent =
        `Reading left to right, P(positive) goes ${u.prefix.map((p) => pct(p, 0)).join(" → ")}` +
        (turn > 0 ? `; it changes its mind at “${u.words[turn]}”.` : ".") +
        ` The unidirectional model ends ${labelText(u.label)} (${pct(u.prob)}), the bidirectional one ${labelText(b.label)} (${pct(b.prob)}).` +
        " A left-to-right reader must commit to “terribly” before it sees “exciting”; the bidirectional one reads each word with its right context." +
        (u.label === b.label
          ? ` Here both end ${labelText(b.label)}: how much the right context helps depends on what the model learned (IMDB reviews seldom use “terribly” as praise); a stronger bidirectional model can be set in models.json.`
          : " Here the two readings disagree.");
    } catch (e) {
      showError($("rd-uni"), e);
    }
  };
  input.addEventListener("input", debounce(render, 80));
  for (const b of document.querySelectorAll<HTMLButtonElement>("#view-direction button[data-text]"))
    b.addEventListener("click", () => {
      input.value = b.dataset["text"] ?? "";
      render();
    });
  render();
}
