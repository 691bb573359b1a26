import { GRU, LSTM, RNN, type RecurrentBase } from "../nn/recurrent.js";
import type { CellType } from "../tensor/ops/recurrent.js";
import type { Generator } from "../tensor/random.js";

export type { CellType };
/** The recurrent cell types a model can be built from (PyTorch's names: RNNBase.mode, word_language_model --model). */
export const CELL_TYPES: readonly CellType[] = ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"];

export interface StackOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  dropout: number;
  bidirectional: boolean;
  batchFirst: boolean;
  projSize?: number;
  generator?: Generator;
}

/** Build the recurrent stack for a cell type; errors name the valid choices. */
export function makeRecurrent(cell: CellType, o: StackOptions): RecurrentBase {
  switch (cell) {
    case "LSTM":
      return new LSTM({ ...o, projSize: o.projSize ?? 0 });
    case "GRU":
      return new GRU(o);
    case "RNN_TANH":
      return new RNN({ ...o, nonlinearity: "tanh" });
    case "RNN_RELU":
      return new RNN({ ...o, nonlinearity: "relu" });
    default:
      throw new RangeError(`unknown cell type ${String(cell)}; expected one of ${CELL_TYPES.join(", ")}`);
  }
}

/** A cell type in any case (lstm = LSTM; "rnn" is RNN_TANH, as PyTorch's nn.RNN defaults to tanh); returns the canonical CellType. */
export function parseCell(s: string): CellType {
  const u = s.toUpperCase().replace("-", "_");
  const c = u === "RNN" ? "RNN_TANH" : u;
  if (!(CELL_TYPES as readonly string[]).includes(c)) throw new RangeError(`unknown cell type "${s}"; expected one of ${CELL_TYPES.join(", ")} (any case; rnn = RNN_TANH)`);
  return c as CellType;
}
