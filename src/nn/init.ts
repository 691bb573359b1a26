import { type Generator, defaultGenerator } from "../tensor/random.js";

/** U(−bound, bound) draws (PyTorch's default for recurrent and linear layers). */
export function uniformInit(n: number, bound: number, generator: Generator = defaultGenerator): Float32Array {
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = (2 * generator.random() - 1) * bound;
  return d;
}

/** N(0, 1) draws (PyTorch's default for Embedding). */
export function normalInit(n: number, generator: Generator = defaultGenerator): Float32Array {
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = generator.randn();
  return d;
}
