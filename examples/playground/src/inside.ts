/**
 * View 2, "Inside the LSTM": the language model reads the typed text and every step's gates are
 * shown as heatmaps with one column per token (forget f, input i, output o on [0, 1], the cell
 * state c diverging around 0), for a chosen set of hidden units plus the mean over all units;
 * below, the hidden state h(t) projected on its first two principal components, step by step.
 * Hovering a column (or a point) shows that token's numbers. The activations are rnnkit's
 * lstmGates: exactly those of the fused kernel that predictNext runs.
 */
import { $, debounce, divColor, el, seqColor, showError } from "./dom.js";
import { languageModel } from "./models.js";
import { pca2 } from "./pca.js";
import * as rk from "./rnnkit.js";

type Kind = "forget" | "input" | "output" | "cell";
const KINDS: readonly { kind: Kind; title: string; formula: string }[] = [
  { kind: "forget", title: "forget gate f", formula: "f = σ(W_f x + U_f h + b_f): 1 keeps c(t−1), 0 erases it" },
  { kind: "input", title: "input gate i", formula: "i = σ(W_i x + U_i h + b_i): how much of the candidate g is written" },
  { kind: "output", title: "output gate o", formula: "o = σ(W_o x + U_o h + b_o): how much of tanh(c) becomes h" },
  { kind: "cell", title: "cell state c", formula: "c(t) = f ⊙ c(t−1) + i ⊙ g; red > 0, blue < 0" },
];
const SHOWN = 16;

interface Reading {
  tokens: string[];
  g: rk.LstmLayerGates;
  T: number;
  H: number;
}

/** Units to show: the 16 whose cell state varies most over the text, or a fixed range. */
function pickUnits(choice: string, r: Reading): number[] {
  if (choice === "all") return Array.from({ length: r.H }, (_, j) => j);
  if (choice.startsWith("range:")) {
    const a = Number(choice.slice(6));
    return Array.from({ length: Math.min(SHOWN, r.H - a) }, (_, j) => a + j);
  }
  const score = Array.from({ length: r.H }, (_, j) => {
    let m = 0;
    for (let t = 0; t < r.T; t++) m += r.g.cell[t * r.H + j]! / r.T;
    let v = 0;
    for (let t = 0; t < r.T; t++) v += (r.g.cell[t * r.H + j]! - m) ** 2;
    return v;
  });
  return score.map((s, j) => [s, j] as const).sort((a, b) => b[0] - a[0]).slice(0, SHOWN).map(([, j]) => j).sort((a, b) => a - b);
}

const valueAt = (r: Reading, kind: Kind, t: number, u: number): number => r.g[kind][t * r.H + u]!;
const meanAt = (r: Reading, kind: Kind, t: number): number => {
  let s = 0;
  for (let u = 0; u < r.H; u++) s += valueAt(r, kind, t, u);
  return s / r.H;
};

function heatmapTable(r: Reading, kind: Kind, title: string, formula: string, units: readonly number[]): HTMLElement {
  let cmax = 0;
  if (kind === "cell") for (const u of units) for (let t = 0; t < r.T; t++) cmax = Math.max(cmax, Math.abs(valueAt(r, kind, t, u)));
  const color = (v: number): string => (kind === "cell" ? divColor(v, cmax) : seqColor(v));
  const head = el("tr", {}, [el("th", { class: "unit", text: "unit" }), ...r.tokens.map((tok, t) => el("th", { class: "tok", text: tok, attrs: { "data-t": String(t), "data-col": String(t) } }))]);
  const row = (label: string, at: (t: number) => number, u: string): HTMLElement =>
    el("tr", {}, [
      el("th", { class: "unit", text: label }),
      ...r.tokens.map((_, t) => {
        const v = at(t);
        return el("td", { attrs: { "data-t": String(t), "data-u": u, "data-v": v.toFixed(4), style: `background:${color(v)}` } });
      }),
    ]);
  const body = [row("mean", (t) => meanAt(r, kind, t), "mean"), ...units.map((u) => row(String(u), (t) => valueAt(r, kind, t, u), String(u)))];
  const scale = kind === "cell" ? `colour: −${cmax.toFixed(2)} … ${cmax.toFixed(2)}` : "colour: 0 … 1";
  return el("figure", { class: "heatmap", attrs: { "data-kind": kind } }, [
    el("figcaption", {}, [el("strong", { text: title }), el("span", { class: "muted", text: ` — ${formula} (${scale})` })]),
    el("div", { class: "scroll" }, [el("table", {}, [el("thead", {}, [head]), el("tbody", {}, body)])]),
  ]);
}

/** The hidden-state trajectory as an SVG: one point per token, joined in reading order. */
function trajectory(r: Reading): SVGSVGElement {
  const P = r.g.hidden.length / r.T;
  const { xy, explained } = pca2(r.g.hidden, r.T, P);
  const W = 640, Hh = 360, pad = 36;
  const xs = Array.from({ length: r.T }, (_, t) => xy[2 * t]!);
  const ys = Array.from({ length: r.T }, (_, t) => xy[2 * t + 1]!);
  const span = (v: number[]): [number, number] => {
    const lo = Math.min(...v), hi = Math.max(...v);
    return hi - lo < 1e-9 ? [lo - 1, hi + 1] : [lo, hi];
  };
  const [x0, x1] = span(xs), [y0, y1] = span(ys);
  const sx = (v: number): number => pad + ((v - x0) / (x1 - x0)) * (W - 2 * pad);
  const sy = (v: number): number => Hh - pad - ((v - y0) / (y1 - y0)) * (Hh - 2 * pad);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${Hh}`);
  svg.setAttribute("id", "in-trajectory-svg");
  const mk = (tag: string, attrs: Record<string, string>, text?: string): SVGElement => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  mk("rect", { x: "0", y: "0", width: String(W), height: String(Hh), fill: "#fafafa", stroke: "#ddd" });
  mk("text", { x: String(W / 2), y: String(Hh - 8), "text-anchor": "middle", class: "axis" }, `PC 1 (${(100 * explained[0]).toFixed(0)} % of the variance of h)`);
  mk("text", { x: "12", y: String(Hh / 2), transform: `rotate(-90 12 ${Hh / 2})`, "text-anchor": "middle", class: "axis" }, `PC 2 (${(100 * explained[1]).toFixed(0)} %)`);
  mk("polyline", { points: xs.map((x, t) => `${sx(x).toFixed(1)},${sy(ys[t]!).toFixed(1)}`).join(" "), fill: "none", stroke: "#9ab", "stroke-width": "1.5" });
  xs.forEach((x, t) => {
    const shade = r.T > 1 ? t / (r.T - 1) : 1;
    mk("circle", { cx: sx(x).toFixed(1), cy: sy(ys[t]!).toFixed(1), r: "5", fill: seqColor(0.25 + 0.75 * shade), stroke: "#123", "data-t": String(t) });
    mk("text", { x: (sx(x) + 7).toFixed(1), y: (sy(ys[t]!) - 6).toFixed(1), class: "pt", "data-t": String(t) }, r.tokens[t]!);
  });
  return svg;
}

export async function setupInside(): Promise<void> {
  const ta = $<HTMLTextAreaElement>("in-text");
  const unitsSel = $<HTMLSelectElement>("in-units");
  const out = $("in-heatmaps");
  const hover = $("in-hover");
  const { model, vocab } = await languageModel();
  const H = model.config.hiddenSize;
  unitsSel.replaceChildren(
    el("option", { text: `the ${SHOWN} units whose cell state varies most here`, attrs: { value: "vary" } }),
    ...Array.from({ length: Math.ceil(H / SHOWN) }, (_, k) => el("option", { text: `units ${k * SHOWN}–${Math.min(H, (k + 1) * SHOWN) - 1}`, attrs: { value: `range:${k * SHOWN}` } })),
    el("option", { text: `all ${H} units`, attrs: { value: "all" } }),
  );
  let reading: Reading | null = null;

  const describe = (t: number, u: string | null): void => {
    if (!reading) return;
    const r = reading;
    for (const e of document.querySelectorAll("#view-inside .hl")) e.classList.remove("hl");
    for (const e of document.querySelectorAll(`#view-inside [data-t="${t}"]`)) e.classList.add("hl");
    const f3 = (v: number): string => v.toFixed(3);
    const means = `mean over ${r.H} units: f ${f3(meanAt(r, "forget", t))}, i ${f3(meanAt(r, "input", t))}, o ${f3(meanAt(r, "output", t))}, c ${f3(meanAt(r, "cell", t))}`;
    const unit = u !== null && u !== "mean" ? `; unit ${u}: f ${f3(valueAt(r, "forget", t, Number(u)))}, i ${f3(valueAt(r, "input", t, Number(u)))}, o ${f3(valueAt(r, "output", t, Number(u)))}, c ${f3(valueAt(r, "cell", t, Number(u)))}, h ${f3(r.g.hidden[t * r.H + Number(u)]!)}` : "";
    hover.replaceChildren(el("strong", { text: `“${r.tokens[t]}” (token ${t + 1} of ${r.T})` }), ` — ${means}${unit}`);
    hover.dataset["t"] = String(t);
  };

  const render = (): void => {
    try {
      const enc = rk.encodePrompt(vocab, ta.value);
      if (enc.ids.length === 0) {
        out.replaceChildren(el("p", { class: "muted", text: "Type a few words." }));
        $("in-trajectory").replaceChildren();
        reading = null;
        return;
      }
      // Start from the end-of-sentence token, as predictNext does, so these are the states it uses.
      const start = vocab.eosId >= 0 ? [vocab.eosId] : [];
      const layers = rk.lstmGates(model, [...start, ...enc.ids]);
      const full = layers[layers.length - 1]!;
      const T = enc.ids.length, s = start.length;
      const cut = (m: Float32Array, w: number): Float32Array => m.slice(s * w, (s + T) * w);
      const g: rk.LstmLayerGates = { ...full, input: cut(full.input, H), forget: cut(full.forget, H), candidate: cut(full.candidate, H), output: cut(full.output, H), cell: cut(full.cell, H), hidden: cut(full.hidden, full.hidden.length / (s + T)) };
      reading = { tokens: enc.tokens, g, T, H };
      const units = pickUnits(unitsSel.value, reading);
      const r = reading;
      out.replaceChildren(...KINDS.map((k) => heatmapTable(r, k.kind, k.title, k.formula, units)));
      out.dataset["tokens"] = String(T);
      $("in-trajectory").replaceChildren(trajectory(reading));
      $("in-unknown").textContent = enc.unknown.length ? `Not in the vocabulary (read as <unk>): ${enc.unknown.join(", ")}` : "";
      describe(T - 1, null);
    } catch (e) {
      showError(out, e);
    }
  };

  const onHover = (e: Event): void => {
    const t = (e.target as Element).closest("[data-t]");
    if (!t) return;
    describe(Number(t.getAttribute("data-t")), t.getAttribute("data-u"));
  };
  out.addEventListener("mouseover", onHover);
  $("in-trajectory").addEventListener("mouseover", onHover);
  ta.addEventListener("input", debounce(render, 60));
  unitsSel.addEventListener("change", render);
  render();
}
