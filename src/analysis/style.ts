import type { CellType } from "../models/cell.js";
import { SERIES_COLORS } from "../viz/palette.js";

/** Display names of the cells in tables and legends. */
export const CELL_LABEL: Record<CellType, string> = { RNN_TANH: "RNN (tanh)", RNN_RELU: "RNN (relu)", GRU: "GRU", LSTM: "LSTM" };

/** One colour per cell, the same in every analysis chart (Okabe–Ito). */
export const CELL_COLOR: Record<CellType, string> = { RNN_TANH: SERIES_COLORS[1]!, RNN_RELU: SERIES_COLORS[3]!, GRU: SERIES_COLORS[2]!, LSTM: SERIES_COLORS[0]! };
