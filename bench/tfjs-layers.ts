/**
 * The benchmark workloads as a TensorFlow.js LayersModel (embedding → (Bi)LSTM → dense, Adam 1e-3,
 * cross-entropy on logits, trainOnBatch), for whichever tfjs the caller loaded: Node
 * (./tfjs-model.ts) or a browser page (./browser-worker.ts). Needs the wasm backend set already.
 */
import type { BenchConfig } from "./configs.js";

type Tf = typeof import("@tensorflow/tfjs");

export interface AsyncWorkload {
  trainStep(): Promise<unknown>;
  infer(): Promise<unknown>;
  params: number;
  backend: string;
}

interface WasmBackendLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: string): { dataId: unknown; shape: number[]; dtype: string };
  typedArrayFromHeap(info: { dataId: unknown; shape: number[]; dtype: string }): Float32Array;
}
interface TensorInfoLike {
  dataId: unknown;
  shape: number[];
}

/**
 * tfjs-backend-wasm 4.22 has no UnsortedSegmentSum kernel, which the gradient of the Embedding
 * layer (gather) needs; register a plain JavaScript one so training runs at all.
 */
export function registerSegmentSumShim(tf: Tf): void {
  if (tf.getKernel("UnsortedSegmentSum", "wasm")) return;
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as unknown as WasmBackendLike;
      const x = inputs.x as unknown as TensorInfoLike;
      const seg = inputs.segmentIds as unknown as TensorInfoLike;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const xv = b.readSync(x.dataId);
      const ids = b.readSync(seg.dataId);
      const rows = ids.length;
      const inner = rows === 0 ? 0 : xv.length / rows;
      const out = b.makeOutput([numSegments, ...x.shape.slice(seg.shape.length)], "float32");
      const o = b.typedArrayFromHeap(out);
      o.fill(0);
      for (let r = 0; r < rows; r++) {
        const s = ids[r]!;
        if (s < 0 || s >= numSegments) continue;
        for (let j = 0; j < inner; j++) o[s * inner + j]! += xv[r * inner + j]!;
      }
      return out as never;
    },
  });
}

/** Build the model for config `c` on tf's current backend (registers the shim on wasm). */
export function buildTfjsWorkload(tf: Tf, c: BenchConfig): AsyncWorkload {
  registerSegmentSumShim(tf);
  const { vocab: V, emb: E, hidden: H, layers: L, seq: T, batch: B } = c;
  const classes = c.task === "lm" ? V : (c.classes ?? 2);
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: V, outputDim: E, inputLength: T }));
  for (let l = 0; l < L; l++) {
    const last = l === L - 1;
    const seqOut = c.task === "lm" || !last;
    const cell = tf.layers.lstm({ units: H, returnSequences: seqOut });
    model.add(c.bidirectional ? tf.layers.bidirectional({ layer: cell as never, mergeMode: "concat" }) : cell);
  }
  model.add(tf.layers.dense({ units: classes }));
  const loss = (yTrue: import("@tensorflow/tfjs").Tensor, yPred: import("@tensorflow/tfjs").Tensor) =>
    tf.losses.softmaxCrossEntropy(yTrue.reshape([-1, classes]), yPred.reshape([-1, classes]));
  model.compile({ optimizer: tf.train.adam(1e-3), loss });
  const x = tf.randomUniform([B, T], 0, V, "int32");
  // the layers API wants targets shaped like the output: one-hot [B, T, V] / [B, classes]
  const ids = c.task === "lm" ? tf.randomUniform([B, T], 0, V, "int32") : tf.randomUniform([B], 0, classes, "int32");
  const y = tf.oneHot(ids as import("@tensorflow/tfjs").Tensor1D, classes);
  return {
    params: model.countParams(),
    backend: tf.getBackend(),
    trainStep: () => model.trainOnBatch(x, y),
    infer: async () => {
      const out = model.predict(x) as import("@tensorflow/tfjs").Tensor;
      await out.data();
      out.dispose();
    },
  };
}
