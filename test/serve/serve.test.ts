/**
 * rnnkit serve: answers equal the library's (classifyTexts, predictNext, generate); every bad
 * request gets a clear 4xx (bad JSON, wrong types, unknown fields, oversized bodies, unknown routes,
 * non-JSON); overload gets 503 + Retry-After; SIGTERM lets in-flight requests finish. Real sockets
 * only on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";

import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { resolveTokenizer } from "../../src/data/text/tokenize.js";
import { Vocabulary } from "../../src/data/text/vocabulary.js";
import { LanguageModel } from "../../src/models/language-model.js";
import { manualSeed } from "../../src/tensor/random.js";
import { loadClassifier, saveLm, type LoadedLm } from "../../src/io/checkpoint.js";
import { generate, predictNext } from "../../src/lm/predict.js";
import { classifyTexts } from "../../src/sentiment/classify.js";
import { SHIPPED_MODEL } from "../../src/sentiment/shipped.js";
import { createServer, type RnnkitServer } from "../../src/serve/server.js";
import { CLI } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const classifier = loadClassifier(SHIPPED_MODEL);
const WORDS = "the company said it would buy shares of the stock market fell sharply on monday as investors sold".split(" ");
function tinyLm(): LoadedLm {
  manualSeed(3);
  const vocab = Vocabulary.fromStream(WORDS, resolveTokenizer({ level: "word" }));
  const model = new LanguageModel({ vocabSize: vocab.size, embeddingDim: 8, hiddenSize: 8 });
  model.eval();
  return { model, vocab, info: {} };
}
const lm = tinyLm();

async function withServer(opts: Parameters<typeof createServer>[0], fn: (s: RnnkitServer) => Promise<void>): Promise<void> {
  const s = await createServer(opts);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}
const post = (s: RnnkitServer, url: string, payload: unknown, headers: Record<string, string> = {}) =>
  s.app.inject({ method: "POST", url, payload: typeof payload === "string" ? payload : JSON.stringify(payload), headers: { "content-type": "application/json", ...headers } });

test("serve answers like the library: /classify = classifyTexts, /next = predictNext, /generate = generate (same seed)", async () => {
  await withServer({ classifier, lm }, async (s) => {
    const texts = ["The movie was terribly exciting!", "What a waste of two hours.", "flat and lifeless"];
    const r = await post(s, "/classify", { texts });
    assert.equal(r.statusCode, 200, r.body);
    const want = classifyTexts(classifier, texts).map(({ label, prob, probs, known }) => ({ label, prob, probs, known }));
    assert.deepEqual(r.json().predictions, want);
    const one = await post(s, "/classify", { text: texts[1] });
    assert.deepEqual(one.json().predictions, [want[1]]);

    const n = await post(s, "/next", { text: "the stock", k: 3 });
    assert.equal(n.statusCode, 200, n.body);
    assert.deepEqual(n.json().next, predictNext(lm.model, lm.vocab, "the stock", { k: 3 }).next.map(({ token, prob }) => ({ token, prob })));
    const g = await post(s, "/generate", { text: "the", length: 12, temperature: 0.8, seed: 5 });
    assert.equal(g.statusCode, 200, g.body);
    assert.deepEqual(g.json(), generate(lm.model, lm.vocab, "the", { length: 12, temperature: 0.8, seed: 5 }));

    const h = await s.app.inject({ method: "GET", url: "/health" });
    assert.equal(h.statusCode, 200);
    assert.deepEqual(h.json().models.classifier.labels, ["neg", "pos"]);
    const m = await s.app.inject({ method: "GET", url: "/metrics" });
    assert.match(m.body, /rnnkit_http_requests_total\{route="\/classify",method="POST",status="200"\} 2/);
    assert.match(m.body, /rnnkit_batch_size_count\{queue="classify"\} 2/);
    assert.match(m.body, /process_resident_memory_bytes/);
  });
});

test("serve rejects bad requests with a clear 4xx: bad JSON, wrong types, unknown fields, limits, unknown routes, non-JSON", async () => {
  await withServer({ classifier, lm, bodyLimit: 4096, maxTexts: 3, maxTextChars: 500, maxGenerateLength: 50 }, async (s) => {
    const cases: Array<[string, Awaited<ReturnType<typeof post>>, number, RegExp]> = [
      ["bad JSON", await post(s, "/classify", '{"texts": ["a"'), 400, /not valid JSON/],
      ["texts of numbers", await post(s, "/classify", { texts: [5] }), 400, /body\/texts\/0 must be string/],
      ["text as number", await post(s, "/classify", { text: 42 }), 400, /body\/text must be string/],
      ["k as a string", await post(s, "/next", { text: "the", k: "5" }), 400, /body\/k must be integer/],
      ["k fractional", await post(s, "/next", { text: "the", k: 2.5 }), 400, /body\/k must be integer/],
      ["seed as a string", await post(s, "/generate", { text: "the", seed: "1" }), 400, /body\/seed must be integer/],
      ["unknown field", await post(s, "/classify", { texts: ["a"], extra: 1 }), 400, /unknown field "extra"/],
      ["neither text nor texts", await post(s, "/classify", {}), 400, /exactly one of "text".*or "texts"/],
      ["both", await post(s, "/classify", { text: "a", texts: ["b"] }), 400, /exactly one of/],
      ["empty texts", await post(s, "/classify", { texts: [] }), 400, /body\/texts must NOT have fewer than 1 items/],
      ["too many texts", await post(s, "/classify", { texts: ["a", "b", "c", "d"] }), 400, /body\/texts must NOT have more than 3 items/],
      ["text too long", await post(s, "/next", { text: "x".repeat(501) }), 400, /body\/text must NOT have more than 500 characters/],
      ["length over the limit", await post(s, "/generate", { text: "the", length: 51 }), 400, /body\/length must be <= 50/],
      ["missing text", await post(s, "/generate", { length: 5 }), 400, /must have required property 'text'/],
      ["array body", await post(s, "/next", ["the"]), 400, /body must be object/],
      ["oversized body", await post(s, "/classify", { text: "a".repeat(5000) }), 413, /too large/],
      ["text/plain", await post(s, "/classify", "hello", { "content-type": "text/plain" }), 415, /Unsupported Media Type|content-type/i],
      ["no word known", await post(s, "/next", { text: "zzzz qqqq" }), 422, /none of the words/],
    ];
    for (const [what, r, status, msg] of cases) {
      assert.equal(r.statusCode, status, `${what}: ${r.body}`);
      assert.match(r.json().message, msg, what);
      assert.equal(r.json().statusCode, status);
    }
    const nf = await s.app.inject({ method: "POST", url: "/predict", payload: {} });
    assert.equal(nf.statusCode, 404);
    assert.match(nf.json().message, /no route POST \/predict \(this server answers POST \/classify, POST \/next, POST \/generate, GET \/health, GET \/metrics\)/);
    assert.equal((await s.app.inject({ method: "GET", url: "/classify" })).statusCode, 404);
  });
  await withServer({ lm }, async (s) => {
    const r = await post(s, "/classify", { text: "a" });
    assert.equal(r.statusCode, 404, "no classifier loaded: /classify does not exist");
    assert.match(r.json().message, /answers POST \/next, POST \/generate/);
  });
});

/** One HTTP request over a real socket to 127.0.0.1; resolves with status, headers, body (or the socket error). */
function send(port: number, path: string, body: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const data = JSON.stringify(body);
    const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) } }, (res) => {
      let b = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (b += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b }));
    });
    req.on("error", (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end(data);
  });
}

const review = (i: number): string => `${i} ` + "the plot was thin but the actors were wonderful and the music moved me to tears . ".repeat(25);

/** `rnnkit serve` in a child process on 127.0.0.1 (any free port); stdout collected. */
async function startCli(args: string[]): Promise<{ port: number; child: ReturnType<typeof spawn>; out: () => string; err: () => string; waitFor: (re: RegExp, count?: number) => Promise<void>; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (c: string) => (out += c));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const count = (re: RegExp): number => (out.match(new RegExp(re, "g")) ?? []).length;
  const waitFor = async (re: RegExp, n = 1): Promise<void> => {
    for (let i = 0; i < 1200 && count(re) < n && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(count(re) >= n, `waited for ${re} ×${n}; stdout: ${out.slice(-1500)} stderr: ${err}`);
  };
  await waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/);
  return { port: Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]), child, out: () => out, err: () => err, waitFor, exited };
}

test("overload: a full queue answers 503 with Retry-After at once, the accepted requests all succeed", async () => {
  const s = await startCli(["--classifier", SHIPPED_MODEL, "--max-queue", "2", "--max-batch", "1"]);
  try {
    // One burst of 48 overflows a queue of 2 on a quiet machine; on a loaded one the client may send too slowly,
    // so up to 3 bursts (each answered whole) until one overflows.
    let rs: Awaited<ReturnType<typeof send>>[] = [];
    for (let burst = 0; burst < 3; burst++) {
      const got = await Promise.all(Array.from({ length: 48 }, (_, i) => send(s.port, "/classify", { text: review(i) })));
      rs = rs.concat(got);
      if (got.some((r) => "status" in r && r.status === 503)) break;
    }
    const ok = rs.filter((r) => "status" in r && r.status === 200);
    const busy = rs.filter((r) => "status" in r && r.status === 503) as Array<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;
    assert.equal(ok.length + busy.length, rs.length, `every request answered 200 or 503: ${JSON.stringify(rs.filter((r) => !("status" in r) || (r.status !== 200 && r.status !== 503)).slice(0, 2))}`);
    assert.ok(busy.length > 0, "3 bursts of 48 concurrent requests against a queue of 2 must overflow");
    assert.ok(ok.length >= 2, `${ok.length} succeeded`);
    for (const b of busy) {
      assert.match(String(b.headers["retry-after"]), /^[1-9]\d*$/);
      assert.match(JSON.parse(b.body).message, /busy/);
    }
    const h = await new Promise<string>((resolve, reject) => httpRequest({ host: "127.0.0.1", port: s.port, path: "/health" }, (res) => { let b = ""; res.on("data", (c: Buffer) => (b += c.toString())); res.on("end", () => resolve(b)); }).on("error", reject).end());
    assert.deepEqual(JSON.parse(h).queues, { classify: 0 });
  } finally {
    s.child.kill("SIGTERM");
    assert.equal(await s.exited, 0);
  }
});

test("SIGTERM during requests: the requests in flight finish with 200, then the server exits 0 and the port is closed", async () => {
  const dir = tempDir("serve");
  saveLm(join(dir, "lm.safetensors"), lm.model, lm.vocab);
  const s = await startCli(["--classifier", SHIPPED_MODEL, "--lm", join(dir, "lm.safetensors"), "--log", "--max-batch", "4"]);
  // 6 heavy requests (64 reviews each): the server is busy for a while after receiving them
  const texts = Array.from({ length: 64 }, (_, i) => review(i).slice(0, 600));
  const pending = Array.from({ length: 6 }, () => send(s.port, "/classify", { texts }));
  pending.push(send(s.port, "/generate", { text: "the", length: 200, seed: 1 }));
  await s.waitFor(/"incoming request"/, 7); // all seven are in the server's hands
  s.child.kill("SIGTERM");
  const rs = await Promise.all(pending);
  for (const r of rs) assert.ok("status" in r && r.status === 200, `in-flight request: ${JSON.stringify(r).slice(0, 300)}`);
  for (const r of rs.slice(0, 6)) assert.equal((JSON.parse((r as { body: string }).body).predictions as unknown[]).length, 64);
  assert.equal(await s.exited, 0, s.err());
  assert.match(s.out(), /SIGTERM, finishing requests in flight/);
  assert.match(s.out(), /rnnkit serve: stopped/);
  const after = await send(s.port, "/classify", { text: "hello" });
  assert.ok("error" in after && after.error === "ECONNREFUSED", `after exit: ${JSON.stringify(after)}`);
});
