/**
 * The slice of `@huggingface/transformers` (transformers.js v4) that rnnkit uses, typed here so
 * rnnkit compiles and runs without it: the package is an optional dependency, imported
 * dynamically on first use only. In Node it runs ONNX models through onnxruntime-node.
 */

/** transformers.js Tensor (int64 inputs as BigInt64Array, float32 logits as Float32Array). */
export interface HfTensor {
  readonly type: string;
  readonly dims: number[];
  readonly data: ArrayLike<number> | BigInt64Array;
}

export interface HfEncoding {
  input_ids: number[];
  attention_mask: number[];
  token_type_ids?: number[];
}

/** A PreTrainedTokenizer: callable; `return_tensor: false` gives plain arrays. */
export interface HfTokenizer {
  (text: string, opts: { add_special_tokens?: boolean; return_tensor: false; truncation?: boolean; padding?: boolean }): HfEncoding;
  readonly model_max_length: number;
  readonly pad_token_id?: number | null;
}

export interface HfModelConfig {
  model_type?: string;
  id2label?: Record<string, string>;
  max_position_embeddings?: number;
  problem_type?: string;
}

/** A PreTrainedModel for sequence classification: callable on named input tensors. */
export interface HfModel {
  (inputs: Record<string, HfTensor>): Promise<{ logits: HfTensor }>;
  readonly config: HfModelConfig;
  dispose?: () => Promise<unknown>;
}

export interface HfPipeline {
  readonly tokenizer: HfTokenizer;
  readonly model: HfModel;
  dispose?: () => Promise<unknown>;
}

export interface HfEnv {
  allowRemoteModels: boolean;
  allowLocalModels: boolean;
  localModelPath: string;
  cacheDir: string | null;
  useFSCache: boolean;
  readonly version?: string;
  readonly backends?: { onnx?: { versions?: Record<string, string>; logLevel?: string } };
}

export interface HfPipelineOptions {
  dtype?: string;
  device?: string;
  local_files_only?: boolean;
  cache_dir?: string;
  session_options?: { intraOpNumThreads?: number; interOpNumThreads?: number };
}

export interface HfLibrary {
  readonly env: HfEnv;
  pipeline(task: "text-classification", model: string, opts?: HfPipelineOptions): Promise<HfPipeline>;
  readonly Tensor: new (type: "int64", data: BigInt64Array, dims: number[]) => HfTensor;
}

export const HF_PACKAGE = "@huggingface/transformers";

let cached: Promise<HfLibrary> | null = null;

/**
 * Import @huggingface/transformers once. Throws a one-line error with the install command when
 * the optional dependency (or its onnxruntime-node binary) is missing.
 */
export function loadTransformersLibrary(): Promise<HfLibrary> {
  cached ??= (async () => {
    const name: string = HF_PACKAGE; // a variable specifier: no compile-time dependency on the package
    try {
      return (await import(name)) as HfLibrary;
    } catch (e) {
      cached = null;
      const err = e as NodeJS.ErrnoException;
      if (err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes(HF_PACKAGE)) {
        throw new Error(`--model hf:…: the optional dependency ${HF_PACKAGE} is not installed (hint: npm install ${HF_PACKAGE}; rnnkit's own models work without it)`);
      }
      throw new Error(`--model hf:…: could not load ${HF_PACKAGE}: ${err.message} (hint: its onnxruntime-node binary must match this platform; reinstall with npm install ${HF_PACKAGE})`);
    }
  })();
  return cached;
}

/** Version string of the ONNX runtime transformers.js uses in Node ("onnxruntime-node 1.x"), if it tells. */
export function runtimeDescription(lib: HfLibrary): string {
  const v = lib.env.backends?.onnx?.versions;
  return v?.node ? `onnxruntime-node ${v.node}` : "onnxruntime";
}
