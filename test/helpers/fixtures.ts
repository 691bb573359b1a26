import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Tensor } from "../../src/tensor/tensor.js";
import { FIXTURES, type FixtureTensor, readJson } from "./shared.js";

/** A recurrent-layer case from shared/fixtures/recurrent (see its README). */
export interface LayerCase {
  name: string;
  module: {
    type: "RNN" | "LSTM" | "GRU";
    input_size: number;
    hidden_size: number;
    num_layers: number;
    bidirectional: boolean;
    batch_first: boolean;
    bias: boolean;
    nonlinearity?: "tanh" | "relu";
    proj_size?: number;
  };
  params: Record<string, FixtureTensor>;
  inputs: { x: FixtureTensor; h0?: FixtureTensor; c0?: FixtureTensor; lengths?: number[] };
  outputs: { output: FixtureTensor; h_n: FixtureTensor; c_n?: FixtureTensor };
  upstream: { grad_output: FixtureTensor; grad_h_n: FixtureTensor; grad_c_n?: FixtureTensor };
  grads: Record<string, FixtureTensor>;
  loss_value?: number;
}

export const toTensor = (f: FixtureTensor, requiresGrad = false): Tensor => new Tensor(Float32Array.from(f.data), f.shape, requiresGrad);
export const toIds = (rows: number[][]): Tensor => new Tensor(Int32Array.from(rows.flat()), [rows.length, rows[0]!.length]);

export function fixtureFiles(): string[] {
  return readdirSync(FIXTURES).filter((f) => f.endsWith(".json")).sort();
}
export const readFixture = <T>(file: string): T => readJson<T>(join(FIXTURES, file));
