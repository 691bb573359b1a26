import { heatmap } from "../viz/heatmap.js";
import { type LstmLayerGates, rowMeans } from "./gates.js";

/** The per-unit matrices a chart can show. */
export const UNIT_VIEWS = ["input", "forget", "output", "candidate", "cell", "hidden"] as const;
export type UnitView = (typeof UNIT_VIEWS)[number];

export interface GateSummaryRow {
  token: string;
  input: number;
  forget: number;
  output: number;
  /** Mean of c(t) over units, and mean of |c(t)|. */
  cell: number;
  cellAbs: number;
}

/** Per-token means of one layer (the table and the JSON's summary). */
export function gateSummary(tokens: readonly string[], g: LstmLayerGates): GateSummaryRow[] {
  const T = tokens.length;
  const [i, f, o, c] = [g.input, g.forget, g.output, g.cell].map((m) => rowMeans(m, T)) as [number[], number[], number[], number[]];
  const cAbs = rowMeans(g.cell.map(Math.abs), T);
  return tokens.map((token, t) => ({ token, input: i[t]!, forget: f[t]!, output: o[t]!, cell: c[t]!, cellAbs: cAbs[t]! }));
}

/**
 * The gate charts of one layer:
 *  - means: tokens × {input, forget, output} gate means on a fixed [0, 1] colour scale (the cell
 *    state is unbounded, so it gets its own chart rather than a column here);
 *  - units: tokens × units of the chosen view (a gate on [0, 1], or the cell state on a diverging scale);
 *  - cell: tokens × units of the cell state c(t), diverging around 0.
 */
export function gateCharts(tokens: readonly string[], g: LstmLayerGates, view: UnitView = "forget", layers = 1): { means: string; units: string; cell: string } {
  const T = tokens.length;
  const H = g.hiddenSize;
  const rows = gateSummary(tokens, g);
  const where = layers > 1 ? `, layer ${g.layer}` : "";
  const means = heatmap({
    values: rows.map((r) => [r.input, r.forget, r.output]),
    rowLabels: [...tokens],
    colLabels: ["input i", "forget f", "output o"],
    title: `LSTM gates per token (mean over ${H} units${where})`,
    subtitle: "f ≈ 1 keeps the cell state, i ≈ 1 writes the new candidate, o ≈ 1 shows tanh(c) as h",
    xLabel: "gate",
    yLabel: "token (in reading order)",
    domain: [0, 1],
    colorScale: "sequential",
    valueLabel: "mean activation",
    showValues: true,
    cellWidth: 72,
  });
  const unitsOf = (v: UnitView): Float32Array => (v === "hidden" ? g.hidden : g[v]);
  const isGate = (v: UnitView): boolean => v === "input" || v === "forget" || v === "output";
  const unitChart = (v: UnitView): string => {
    const m = unitsOf(v);
    const W = m.length / T;
    return heatmap({
      values: { data: m, shape: [T, W] },
      rowLabels: [...tokens],
      colLabels: Array.from({ length: W }, (_, j) => String(j)),
      title: v === "cell" ? `LSTM cell state c(t) per unit${where}` : `LSTM ${v}${isGate(v) ? " gate" : ""} per unit${where}`,
      subtitle: v === "cell" ? "c(t) = f ⊙ c(t−1) + i ⊙ g; red positive, blue negative" : isGate(v) ? "σ(…) in [0, 1]" : "tanh range [−1, 1]",
      xLabel: "hidden unit",
      yLabel: "token (in reading order)",
      ...(isGate(v) ? { domain: [0, 1] as const, colorScale: "sequential" as const } : v === "cell" ? { colorScale: "diverging" as const } : { domain: [-1, 1] as const, colorScale: "diverging" as const }),
      valueLabel: v === "cell" ? "c" : "activation",
    });
  };
  return { means, units: unitChart(view), cell: unitChart("cell") };
}
