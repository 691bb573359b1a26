/**
 * View 5, "Vanishing gradients": ‖∂J(T)/∂h(t)‖ against the distance T − t for a vanilla (tanh)
 * RNN and an LSTM of the same size, at initialisation, on a batch of real Moby-Dick text, by
 * autodiff (rnnkit's hiddenGradNorms: J(T) is the loss of the last step only). Recomputed
 * whenever the recurrent weight scale (W_hh × s) or the LSTM's forget-gate bias changes:
 *   RNN:  ∂h(k)/∂h(k−1) = diag(1 − h(k)²) W_hh — a product of T − t such factors, which
 *         shrinks (s small) or grows (s large) geometrically;
 *   LSTM: the cell path ∂c(k)/∂c(k−1) = diag(f(k)), which a forget bias > 0 keeps near 1.
 */
import { $, debounce, el, showError } from "./dom.js";
import { corpusText, languageModel } from "./models.js";
import * as rk from "./rnnkit.js";

const T = 60, B = 4, HIDDEN = 64, EMB = 32, SEED = 1;
/** The 500 most frequent words (the rest read as <unk>): the gradient flow does not depend on the vocabulary, the cost of building the models does. */
const VOCAB = 500;
const PROBES = [1, 10, 30, 59];

export interface FlowCurves {
  rnn: number[];
  lstm: number[];
  ms: number;
}

/** Both curves for one setting (the models are rebuilt from the same seed each time). */
export function flowCurves(ids: Int32Array, vocabSize: number, scale: number, forgetBias: number): FlowCurves {
  const t0 = performance.now();
  const { tokens, targets } = rk.flowBatch(ids, T, B);
  const measure = (cell: "RNN_TANH" | "LSTM"): number[] => {
    const m = rk.flowModel(cell, { vocabSize, embeddingDim: EMB, hiddenSize: HIDDEN, seed: SEED, recurrentScale: scale });
    if (cell === "LSTM") rk.setGateBias(m.rnn, forgetBias);
    return rk.hiddenGradNorms(m, tokens, targets, T, B);
  };
  const rnn = measure("RNN_TANH");
  const lstm = measure("LSTM");
  return { rnn, lstm, ms: performance.now() - t0 };
}

const fmt = (v: number): string => (v === 0 ? "0" : Math.abs(Math.log10(Math.abs(v))) >= 3 ? v.toExponential(1) : v.toPrecision(3));

export async function setupGradients(): Promise<void> {
  const scale = $<HTMLInputElement>("vg-scale");
  const bias = $<HTMLInputElement>("vg-bias");
  const chart = $("vg-chart");
  const { vocab } = await languageModel();
  // Chapter 1 onwards, in the language model's vocabulary: (T+1)·B tokens of real text.
  const text = await corpusText();
  const start = Math.max(0, text.indexOf("CHAPTER 1. Loomings."));
  const V = Math.min(VOCAB, vocab.size);
  const unk = vocab.unkId >= 0 && vocab.unkId < V ? vocab.unkId : 0;
  const ids = vocab.encode(vocab.tokenize(text.slice(start, start + 20000))).map((id) => (id < V ? id : unk));

  const render = (): void => {
    const s = Number(scale.value), b = Number(bias.value);
    $("vg-scale-out").textContent = `× ${s.toFixed(2)}`;
    $("vg-bias-out").textContent = b.toFixed(1);
    try {
      const c = flowCurves(ids, V, s, b);
      const points = (v: number[]): rk.Point[] => v.map((y, x) => ({ x, y }));
      chart.innerHTML = rk.lineChart({
        title: "‖∂J(T)/∂h(t)‖ against distance T − t, at initialisation",
        subtitle: `T = ${T}, batch ${B}, hidden ${HIDDEN}, ${V} words; W_hh × ${s.toFixed(2)}; LSTM forget-gate bias ${b.toFixed(1)}; seed ${SEED}`,
        xLabel: "distance T − t (steps back)",
        yLabel: "gradient norm (log scale)",
        yScale: "log",
        series: [
          { name: "vanilla RNN (tanh)", points: points(c.rnn), color: rk.CELL_COLOR.RNN_TANH },
          { name: "LSTM", points: points(c.lstm), color: rk.CELL_COLOR.LSTM },
        ],
        markers: false,
        width: 760,
        height: 400,
      });
      const table = el("table", { class: "readout" }, [
        el("tr", {}, [el("th", { text: "distance" }), ...PROBES.map((d) => el("th", { text: String(d) }))]),
        el("tr", { attrs: { "data-cell": "rnn" } }, [el("th", { text: "vanilla RNN" }), ...PROBES.map((d) => el("td", { text: fmt(c.rnn[d]!), attrs: { "data-d": String(d), "data-v": String(c.rnn[d]) } }))]),
        el("tr", { attrs: { "data-cell": "lstm" } }, [el("th", { text: "LSTM" }), ...PROBES.map((d) => el("td", { text: fmt(c.lstm[d]!), attrs: { "data-d": String(d), "data-v": String(c.lstm[d]) } }))]),
      ]);
      const far = T - 1;
      const decay = (v: number[]): string => fmt(v[far]! / v[1]!);
      $("vg-readout").replaceChildren(
        table,
        el("p", { class: "muted", text: `From distance 1 to ${far} the RNN's gradient is multiplied by ${decay(c.rnn)}, the LSTM's by ${decay(c.lstm)}. Recomputed by autodiff in ${c.ms.toFixed(0)} ms on the ${rk.backendName()} backend.` }),
      );
    } catch (e) {
      showError(chart, e);
    }
  };
  const later = debounce(render, 40);
  scale.addEventListener("input", later);
  bias.addEventListener("input", later);
  render();
}
