/**
 * View 1, "Next word as you type": the Moby-Dick word LSTM reads the text up to the caret and
 * shows its top-k next words with P(w | text) in a list under the caret, on every keystroke
 * (rnnkit's predictNext). Clicking a word inserts it at the caret. "Generate" samples a
 * continuation with temperature and nucleus (top-p) sampling (rnnkit's generate).
 */
import { $, debounce, el, pct, showError } from "./dom.js";
import { languageModel } from "./models.js";
import * as rk from "./rnnkit.js";

const K = 8;

/** Pixel position of the caret inside a textarea (a hidden mirror div with the same text and style). */
function caretXY(ta: HTMLTextAreaElement): { x: number; y: number } {
  const style = getComputedStyle(ta);
  const mirror = document.createElement("div");
  for (const p of ["fontFamily", "fontSize", "fontWeight", "lineHeight", "letterSpacing", "paddingTop", "paddingLeft", "paddingRight", "paddingBottom", "borderTopWidth", "borderLeftWidth", "boxSizing", "width", "whiteSpace", "wordWrap"] as const)
    mirror.style[p] = style[p];
  Object.assign(mirror.style, { position: "absolute", visibility: "hidden", whiteSpace: "pre-wrap", overflowWrap: "break-word", top: "0", left: "0" });
  mirror.textContent = ta.value.slice(0, ta.selectionStart ?? ta.value.length);
  const mark = document.createElement("span");
  mark.textContent = "\u200b";
  mirror.append(mark);
  ta.parentElement!.append(mirror);
  const xy = { x: mark.offsetLeft, y: mark.offsetTop + mark.offsetHeight - ta.scrollTop };
  mirror.remove();
  return xy;
}

export async function setupNextWord(): Promise<void> {
  const ta = $<HTMLTextAreaElement>("nw-text");
  const popup = $("nw-popup");
  const context = $("nw-context");
  const { model, vocab, bytes } = await languageModel();
  $("nw-model").textContent = `${model.config.cell ?? "LSTM"} ${model.config.numLayers ?? 1}×${model.config.hiddenSize}, ${vocab.size.toLocaleString()} words, ${(bytes / 1e6).toFixed(1)} MB`;

  const update = (): void => {
    const prompt = ta.value.slice(0, ta.selectionStart ?? ta.value.length);
    popup.replaceChildren();
    popup.hidden = true;
    if (!prompt.trim()) {
      context.textContent = "Type something: the model needs at least one word it knows.";
      return;
    }
    let r: ReturnType<typeof rk.predictNext>;
    const t0 = performance.now();
    try {
      r = rk.predictNext(model, vocab, prompt, { k: K });
    } catch (e) {
      context.textContent = e instanceof Error ? e.message : String(e);
      return;
    }
    const ms = performance.now() - t0;
    const sum = r.next.reduce((s, n) => s + n.prob, 0);
    for (const n of r.next) {
      const b = el("button", { class: "candidate", attrs: { type: "button", "data-token": n.token, "data-prob": String(n.prob), role: "option" } }, [
        el("span", { class: "word", text: n.token }),
        el("span", { class: "bar" }, [el("span", { attrs: { style: `width:${Math.max(2, 100 * n.prob / r.next[0]!.prob).toFixed(0)}%` } })]),
        el("span", { class: "prob", text: pct(n.prob) }),
      ]);
      b.addEventListener("mousedown", (e) => e.preventDefault()); // keep the caret in the textarea
      b.addEventListener("click", () => insertWord(n.token));
      popup.append(b);
    }
    const { x, y } = caretXY(ta);
    popup.style.left = `${Math.min(x, ta.clientWidth - 220)}px`;
    popup.style.top = `${y + 4}px`;
    popup.hidden = false;
    popup.dataset["prompt"] = prompt;
    const unk = r.unknown.length ? `; not in the vocabulary (read as <unk>): ${r.unknown.slice(0, 8).join(", ")}` : "";
    context.textContent = `The model read ${r.context.length} tokens: ${r.context.slice(-12).join(" ")}${unk}. Top ${K} hold ${pct(sum)} of the probability; ${ms.toFixed(1)} ms on the ${rk.backendName()} backend.`;
  };

  const insertWord = (w: string): void => {
    const at = ta.selectionStart ?? ta.value.length;
    const before = ta.value.slice(0, at);
    const punct = /^[.,;:!?’”)]/.test(w);
    const sep = before === "" || /\s$/.test(before) || punct ? "" : " ";
    ta.value = before + sep + w + " " + ta.value.slice(at);
    const caret = (before + sep + w + " ").length;
    ta.setSelectionRange(caret, caret);
    ta.focus();
    update();
  };

  const later = debounce(update, 30);
  ta.addEventListener("input", later);
  ta.addEventListener("click", later);
  ta.addEventListener("keyup", (e) => {
    if (e.key.startsWith("Arrow") || e.key === "Home" || e.key === "End") later();
  });

  // Generation: temperature and top-p sliders with their values shown.
  const temp = $<HTMLInputElement>("nw-temp");
  const topP = $<HTMLInputElement>("nw-topp");
  const len = $<HTMLInputElement>("nw-length");
  const seed = $<HTMLInputElement>("nw-seed");
  const show = (): void => {
    $("nw-temp-out").textContent = Number(temp.value).toFixed(2);
    $("nw-topp-out").textContent = Number(topP.value).toFixed(2);
  };
  temp.addEventListener("input", show);
  topP.addEventListener("input", show);
  show();
  $("nw-generate").addEventListener("click", () => {
    const out = $("nw-generated");
    try {
      const prompt = ta.value.trim() ? ta.value : "the";
      const s = Number(seed.value) || 0;
      const g = rk.generate(model, vocab, prompt, { length: Math.max(1, Math.min(200, Number(len.value) || 20)), temperature: Number(temp.value), topP: Number(topP.value), seed: s });
      const cont = g.text.trim();
      out.replaceChildren(
        el("span", { class: "muted", text: `…${prompt.slice(-60)}` }),
        " ",
        el("strong", { text: cont, attrs: { id: "nw-continuation", "data-tokens": String(g.tokens.length) } }),
        el("span", { class: "muted", text: ` (seed ${s}, temperature ${Number(temp.value).toFixed(2)}, top-p ${Number(topP.value).toFixed(2)})` }),
      );
      ta.value = prompt.replace(/\s*$/, " ") + cont + " ";
      ta.setSelectionRange(ta.value.length, ta.value.length);
      seed.value = String(s + 1); // a new sample next time; the one shown is reproducible from its seed
      update();
    } catch (e) {
      showError(out, e);
    }
  });
  ta.setSelectionRange(ta.value.length, ta.value.length);
  update();
}
