/**
 * The in-page trainer (a module Web Worker, so the page stays responsive): reads Moby-Dick,
 * builds the vocabulary and the model exactly as `rnnkit train-lm` does (prose tokens, 80/10/10
 * split, Adam, global-norm clipping 1, truncated BPTT with the state carried across windows),
 * and trains until paused. The wasm kernels run on `threads` threads when the page is
 * cross-origin isolated (rnnkit's init({ threads }) says why not otherwise). The checkpoint it
 * sends is lmToBytes: the same safetensors file `rnnkit predict-next --model` reads.
 */
import * as rk from "./rnnkit.js";
import type { FromWorker, ToWorker, TrainConfig } from "./train-protocol.js";

interface Scope {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(m: FromWorker, transfer?: Transferable[]): void;
}
const scope = globalThis as unknown as Scope;
const post = (m: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(m, transfer);

let paused = false;
let wake: (() => void) | null = null;
let session: { model: rk.LanguageModel; vocab: rk.LmVocabulary; step: number; config: TrainConfig } | null = null;

/** Yield to the worker's event loop (so pause and download messages are seen) without timer clamping. */
const channel = new MessageChannel();
let pending: (() => void) | null = null;
channel.port1.onmessage = () => pending?.();
const yieldNow = (): Promise<void> =>
  new Promise((resolve) => {
    pending = resolve;
    channel.port2.postMessage(0);
  });

async function train(config: TrainConfig, corpusUrl: string): Promise<void> {
  const started = await rk.init({ threads: config.threads });
  const res = await fetch(corpusUrl);
  if (!res.ok) throw new Error(`could not fetch ${corpusUrl}: HTTP ${res.status}`);
  const text = await res.text();
  const tokenizer = rk.resolveTokenizer({ level: config.level, wordStyle: "prose" });
  const split = rk.splitStream(rk.tokenizeLm(text, tokenizer), rk.DEFAULT_SPLIT[config.level], config.level === "word" ? tokenizer.eos : undefined);
  const enc = rk.encodeCorpus({ name: "moby-dick", tokenizer, ...split, origin: { kind: "single-text", files: [], fractions: rk.DEFAULT_SPLIT[config.level] } }, config.level === "word" ? { maxVocab: config.maxVocab } : {});
  rk.manualSeed(config.seed);
  const model = new rk.LanguageModel({ vocabSize: enc.vocab.size, embeddingDim: config.emb, hiddenSize: config.hidden, numLayers: 1 });
  const params = model.parameters();
  const opt = new rk.optim.Adam(params, { lr: config.lr });
  session = { model, vocab: enc.vocab, step: 0, config };
  const ready: FromWorker = {
    type: "ready",
    backend: started.backend,
    flavor: started.flavor,
    threads: started.threads,
    corpus: `Moby-Dick, ${config.level} level: ${enc.train.length.toLocaleString()} training tokens, vocabulary ${enc.vocab.size.toLocaleString()}`,
    params: params.reduce((s, p) => s + p.size, 0),
  };
  if (started.warning) ready.warning = started.warning;
  if (started.threadsWarning) ready.threadsWarning = started.threadsWarning;
  post(ready);

  const B = config.batch, bptt = config.bptt;
  const streams = rk.batchify(enc.train, B);
  const valid = enc.valid.subarray(0, Math.min(enc.valid.length, 6000));
  const t0 = performance.now();
  let tokens = 0, firstLoss = NaN, recent: number[] = [];
  let lastPost = 0, lastSample = 0, lastValid = 0;
  for (let epoch = 1; ; epoch++) {
    let state = model.initState(B);
    model.train();
    for (const w of rk.bpttWindows(streams, bptt)) {
      while (paused) await new Promise<void>((r) => (wake = r));
      state = rk.detachState(state);
      const { loss, state: next } = model.loss(new rk.Tensor(w.input, [w.T, B]), new rk.Tensor(w.target, [w.T, B]), state);
      state = next;
      const lv = loss.item();
      opt.zeroGrad();
      loss.backward();
      rk.optim.clipGradNorm(params, 1);
      opt.step();
      session.step++;
      tokens += w.T * B;
      if (Number.isNaN(firstLoss)) firstLoss = lv;
      recent.push(lv);
      if (recent.length > 20) recent = recent.slice(-20);
      const now = performance.now();
      if (now - lastPost > 150 || session.step <= 3) {
        lastPost = now;
        const seconds = (now - t0) / 1000;
        post({ type: "progress", step: session.step, epoch, loss: recent.reduce((a, b) => a + b, 0) / recent.length, firstLoss, tokensPerSec: tokens / seconds, seconds });
      }
      if (now - lastValid > 5000) {
        lastValid = now;
        post({ type: "valid", step: session.step, loss: rk.evaluateLm(model, valid, { batchSize: 10, bptt }).loss });
        model.train();
      }
      if (now - lastSample > 4000) {
        lastSample = now;
        post({ type: "sample", step: session.step, text: rk.generate(model, enc.vocab, config.prompt, { length: config.level === "word" ? 24 : 100, temperature: 0.8, seed: session.step }).text });
        model.train();
      }
      await yieldNow();
    }
  }
}

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === "start") {
    train(m.config, m.corpusUrl).catch((err: unknown) => post({ type: "error", message: err instanceof Error ? `${err.message}` : String(err) }));
  } else if (m.type === "pause") {
    paused = true;
    post({ type: "state", paused: true });
  } else if (m.type === "resume") {
    paused = false;
    wake?.();
    wake = null;
    post({ type: "state", paused: false });
  } else if (m.type === "checkpoint") {
    if (!session) return post({ type: "error", message: "no model yet: start training first" });
    const { model, vocab, step, config } = session;
    // Between two steps (this handler runs while the loop awaits), so bytes and probe see the same weights.
    const bytes = rk.lmToBytes(model, vocab, { source: "rnnkit playground (in-browser training)", steps: step, config });
    const next = rk.predictNext(model, vocab, config.prompt, { k: 10 }).next;
    model.train();
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    post({ type: "checkpoint", bytes: buf, step, prompt: config.prompt, next }, [buf]);
  }
};
