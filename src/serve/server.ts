/**
 * `rnnkit serve`: an HTTP JSON server for a classifier and/or a language model, on fastify.
 *
 *   POST /classify  {"text": "…"} or {"texts": ["…", …]}        → {"predictions": [{label, prob, probs, known}]}
 *   POST /next      {"text": "…", "k": 5}                        → {"next": [{token, prob}], context, unknown}
 *   POST /generate  {"text": "…", "length": 40, "temperature": 0.8, "topK": 0, "topP": 0.9, "seed": 1} → {"text", "tokens"}
 *   GET  /health    → {"status": "ok", models, queues}  (503 while shutting down)
 *   GET  /metrics   → Prometheus text: requests by route and status, latency, batch sizes, queue depth, process memory
 *
 * Each route calls the library's own classifyTexts / predictNext / generate (so a faster inference
 * path in the library speeds the server up with no change here), through a Batcher: classify
 * requests that arrive together run as one classifyTexts call; LM requests run back to back in one
 * turn of the event loop. Bounded everywhere: request bodies (bodyLimit → 413), texts per request,
 * characters per text, generated tokens (→ 400 with the limit named), and queued requests per route
 * (→ 503 with Retry-After). Bodies are validated by JSON schema without type coercion, so a wrong
 * type is a 400 that names the field; unknown fields are rejected, not ignored.
 * `close()` (on SIGTERM in the CLI) stops accepting connections and lets in-flight requests finish.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ClassifierBundle, LoadedLm } from "../io/checkpoint-bytes.js";
import { generate, predictNext } from "../lm/predict.js";
import { classifyTexts, type Prediction } from "../sentiment/classify.js";
import { describeClassifier } from "../models/text-classifier.js";
import { Batcher, QueueFullError } from "./batcher.js";
import { ServerMetrics } from "./metrics.js";

export interface ServeLimits {
  /** Largest request body, bytes (default 64 KiB). */
  bodyLimit: number;
  /** Texts in one /classify request (default 64). */
  maxTexts: number;
  /** Characters in one text or prompt (default 20,000). */
  maxTextChars: number;
  /** Tokens one /generate request may ask for (default 500). */
  maxGenerateLength: number;
}

export interface ServeOptions extends Partial<ServeLimits> {
  classifier?: ClassifierBundle | null;
  lm?: LoadedLm | null;
  /** Texts per classifier batch (default 64). */
  maxBatch?: number;
  /** Longest wait for a batch to fill, ms (default 2). */
  maxWaitMs?: number;
  /** Requests that may wait per route before 503 (default 256). */
  maxQueue?: number;
  /** Log each request as JSON lines (fastify's logger); default off. */
  logger?: boolean;
}

export const DEFAULT_LIMITS: ServeLimits = { bodyLimit: 64 * 1024, maxTexts: 64, maxTextChars: 20_000, maxGenerateLength: 500 };

interface ClassifyBody {
  text?: string;
  texts?: string[];
}
interface NextBody {
  text: string;
  k?: number;
}
interface GenerateBody {
  text: string;
  length?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
}

/** A request the model cannot answer (no known word, …): 422 with the library's message. */
class UnprocessableError extends Error {
  readonly statusCode = 422;
}

export interface RnnkitServer {
  app: FastifyInstance;
  /** Stop accepting, finish in-flight requests, release everything. */
  close(): Promise<void>;
  readonly closing: boolean;
}

export async function createServer(o: ServeOptions): Promise<RnnkitServer> {
  if (!o.classifier && !o.lm) throw new Error("serve: give a classifier, a language model or both");
  const lim: ServeLimits = { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(o).filter(([k, v]) => k in DEFAULT_LIMITS && v !== undefined)) };
  const { default: Fastify } = await import("fastify");
  const app = Fastify({
    logger: o.logger ?? false,
    bodyLimit: lim.bodyLimit,
    requestTimeout: 60_000,
    return503OnClosing: true,
    // a wrong type is an error, not a coercion ("5" stays a string); unknown fields are errors, not dropped
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
    schemaErrorFormatter: (errors, dataVar) => {
      const e = errors[0]!;
      const where = `${dataVar}${e.instancePath}`;
      const p = e.params as { additionalProperty?: string; allowedValues?: unknown[] };
      if (p.additionalProperty !== undefined) return new Error(`${where} has an unknown field "${p.additionalProperty}"`);
      return new Error(`${where} ${e.message ?? "is invalid"}`);
    },
  });
  app.removeContentTypeParser("text/plain"); // JSON only: anything else is a 415, not a string body
  const metrics = await ServerMetrics.create();
  let closing = false;

  const batchers: Record<string, Batcher<never, unknown>> = {};
  const maxQueue = o.maxQueue ?? 256;
  const maxWaitMs = o.maxWaitMs ?? 2;
  const track = <I, O>(name: string, b: Batcher<I, O>): Batcher<I, O> => {
    b.onBatch = (size, s) => metrics.batch(name, size, s);
    batchers[name] = b as unknown as Batcher<never, unknown>;
    return b;
  };

  app.addHook("onResponse", async (req, reply) => {
    metrics.request(req.routeOptions.url ?? "unmatched", req.method, reply.statusCode, reply.elapsedTime / 1e3);
  });
  app.setNotFoundHandler((req, reply) => {
    const routes = [...(o.classifier ? ["POST /classify"] : []), ...(o.lm ? ["POST /next", "POST /generate"] : []), "GET /health", "GET /metrics"];
    void reply.code(404).send({ statusCode: 404, error: "Not Found", message: `no route ${req.method} ${req.url.split("?")[0]} (this server answers ${routes.join(", ")})` });
  });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof QueueFullError) {
      return reply.code(503).header("retry-after", String(err.retryAfterS)).send({ statusCode: 503, error: "Service Unavailable", message: err.message });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) app.log.error(err);
    return reply.code(status).send({ statusCode: status, error: status === 422 ? "Unprocessable Entity" : (httpStatus[status] ?? "Error"), message: status === 500 ? "internal error (see the server log)" : err.message, ...(err.code ? { code: err.code } : {}) });
  });

  /** Submit to a batcher; a full queue throws QueueFullError (→ 503 in the error handler). */
  const submit = <I, O>(b: Batcher<I, O>, item: I): Promise<O> => b.submit(item);
  const text = (max: number): Record<string, unknown> => ({ type: "string", minLength: 1, maxLength: max });

  if (o.classifier) {
    const bundle = o.classifier;
    const b = track(
      "classify",
      new Batcher<string[], Prediction[]>({
        maxBatch: o.maxBatch ?? 64,
        maxWaitMs,
        maxQueue,
        size: (texts) => texts.length,
        run: (items) => {
          const all = classifyTexts(bundle, items.flat());
          let k = 0;
          return items.map((t) => all.slice(k, (k += t.length)));
        },
      }),
    );
    app.post<{ Body: ClassifyBody }>(
      "/classify",
      {
        schema: {
          body: {
            type: "object",
            additionalProperties: false,
            properties: { text: text(lim.maxTextChars), texts: { type: "array", minItems: 1, maxItems: lim.maxTexts, items: text(lim.maxTextChars) } },
          },
        },
      },
      async (req: FastifyRequest<{ Body: ClassifyBody }>) => {
        const { text: one, texts } = req.body;
        if ((one === undefined) === (texts === undefined)) throw Object.assign(new Error(`body must have exactly one of "text" (a string) or "texts" (an array of at most ${lim.maxTexts} strings)`), { statusCode: 400 });
        const predictions = await submit(b, texts ?? [one!]);
        return { predictions: predictions.map(({ label, prob, probs, known }) => ({ label, prob, probs, known })) };
      },
    );
  }

  if (o.lm) {
    const { model, vocab } = o.lm;
    const modelError = (e: unknown): Error => new UnprocessableError((e as Error).message);
    const next = track(
      "next",
      new Batcher<NextBody, ReturnType<typeof predictNext>>({
        maxBatch: 32,
        maxWaitMs,
        maxQueue,
        run: (items) =>
          items.map((r) => {
            try {
              return predictNext(model, vocab, r.text, { k: r.k ?? 5 });
            } catch (e) {
              return modelError(e);
            }
          }),
      }),
    );
    const gen = track(
      "generate",
      new Batcher<GenerateBody, ReturnType<typeof generate>>({
        maxBatch: 4,
        maxWaitMs,
        maxQueue,
        run: (items) =>
          items.map((r) => {
            try {
              const { text: prompt, ...opts } = r;
              return generate(model, vocab, prompt, { length: 40, ...opts });
            } catch (e) {
              return modelError(e);
            }
          }),
      }),
    );
    app.post<{ Body: NextBody }>(
      "/next",
      { schema: { body: { type: "object", required: ["text"], additionalProperties: false, properties: { text: text(lim.maxTextChars), k: { type: "integer", minimum: 1, maximum: Math.min(1000, vocab.size) } } } } },
      async (req) => {
        const r = await submit(next, req.body);
        return { next: r.next.map(({ token, prob }) => ({ token, prob })), context: r.context, unknown: r.unknown };
      },
    );
    app.post<{ Body: GenerateBody }>(
      "/generate",
      {
        schema: {
          body: {
            type: "object",
            required: ["text"],
            additionalProperties: false,
            properties: {
              text: text(lim.maxTextChars),
              length: { type: "integer", minimum: 1, maximum: lim.maxGenerateLength },
              temperature: { type: "number", minimum: 0, maximum: 10 },
              topK: { type: "integer", minimum: 0 },
              topP: { type: "number", exclusiveMinimum: 0, maximum: 1 },
              seed: { type: "integer" },
            },
          },
        },
      },
      async (req) => submit(gen, req.body),
    );
  }

  app.get("/health", async (_req, reply: FastifyReply) => {
    const body = {
      status: closing ? "shutting-down" : "ok",
      models: {
        ...(o.classifier ? { classifier: { labels: o.classifier.labels, vocabulary: o.classifier.vocab.size, cell: "cell" in o.classifier.model.config ? o.classifier.model.config.cell : "LSTM", model: describeClassifier(o.classifier.model) } } : {}),
        ...(o.lm ? { lm: { vocabulary: o.lm.vocab.size, level: o.lm.vocab.tokenizer.level, cell: o.lm.model.config.cell } } : {}),
      },
      queues: Object.fromEntries(Object.entries(batchers).map(([k, b]) => [k, b.queued])),
    };
    return reply.code(closing ? 503 : 200).send(body);
  });
  app.get("/metrics", async (_req, reply) => {
    metrics.queues(Object.fromEntries(Object.entries(batchers).map(([k, b]) => [k, b.queued])));
    return reply.type(metrics.contentType).send(await metrics.text());
  });

  return {
    app,
    get closing() {
      return closing;
    },
    async close() {
      if (closing) return;
      closing = true;
      await app.close(); // stops listening; in-flight requests complete (they hold their batch promises)
      await Promise.all(Object.values(batchers).map((b) => b.drained()));
    },
  };
}

const httpStatus: Record<number, string> = { 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 413: "Payload Too Large", 415: "Unsupported Media Type", 503: "Service Unavailable" };
