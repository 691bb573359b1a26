"""Inference throughput in PyTorch eager mode: the reference side of rnnkit's inference benchmark.

usage: /usr/bin/python3 torch_infer.py THREADS WHAT [TOKENS]
  WHAT: gen-word   generation with the `rnnkit train-lm` default model (vocab 5000, emb 128, 1-layer LSTM 256)
        gen-char   generation with the char model of ../shared/bench/configs.json (vocab 65, emb 64, 2-layer LSTM 256)
        cls        the sentiment model of configs.json (vocab 20000, emb 100, BiLSTM 128, last states -> linear -> 2):
                   batch-1 latency on a 200-token review and batched throughput (64 reviews of 200 tokens)
Generation is a plain Python loop, one token per iteration: embedding -> nn.LSTM step with the state
carried -> linear -> softmax -> multinomial, under torch.no_grad(). Prints one JSON line.
"""
import json, resource, sys, time
import torch
import torch.nn as nn

threads, what = int(sys.argv[1]), sys.argv[2]
tokens = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
torch.set_num_threads(threads)
torch.manual_seed(0)


cpu_times = []


def median_of(fn, samples=5, warmup=1):
    """Median, min and max wall time of fn; its median CPU time (all threads) goes to cpu_times."""
    for _ in range(warmup):
        fn()
    res, cpu = [], []
    for _ in range(samples):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        res.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    res.sort()
    cpu.sort()
    cpu_times.append(cpu[len(cpu) // 2])
    return res[len(res) // 2], res[0], res[-1]


out = {"impl": "pytorch", "torch": torch.__version__, "threads": threads, "what": what}
with torch.no_grad():
    if what.startswith("gen-"):
        V, E, H, L = (5000, 128, 256, 1) if what == "gen-word" else (65, 64, 256, 2)
        emb, rnn, dec = nn.Embedding(V, E), nn.LSTM(E, H, num_layers=L), nn.Linear(H, V)
        state = {"x": torch.tensor([[1]]), "hc": None}

        def generate(n):
            x, hc = state["x"], state["hc"]
            for _ in range(n):
                o, hc = rnn(emb(x), hc)                      # x [1, 1] -> o [1, 1, H]
                p = torch.softmax(dec(o[-1]), dim=-1)        # [1, V]
                x = torch.multinomial(p, 1)                  # [1, 1]
            state["x"], state["hc"] = x, hc

        generate(200)
        med, lo, hi = median_of(lambda: generate(tokens))
        out.update({"tokens": tokens, "tokens_per_s": round(tokens / med, 1), "tokens_per_s_min": round(tokens / hi, 1), "tokens_per_s_max": round(tokens / lo, 1), "tokens_per_cpu_s": round(tokens / cpu_times[-1], 1)})
    elif what == "cls":
        V, E, H, T, B = 20000, 100, 128, 200, 64

        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(V, E)
                self.rnn = nn.LSTM(E, H, batch_first=True, bidirectional=True)
                self.out = nn.Linear(2 * H, 2)

            def forward(self, x):
                _, (h, _) = self.rnn(self.emb(x))
                return torch.softmax(self.out(torch.cat([h[-2], h[-1]], dim=1)), dim=-1)

        model = Classifier().eval()
        one = torch.randint(2, V, (1, T))
        batch = torch.randint(2, V, (B, T))
        reps = 20

        def single():
            for _ in range(reps):
                model(one)

        med, lo, hi = median_of(single, warmup=2)
        out.update({"latency_ms": round(med / reps * 1e3, 3), "latency_ms_min": round(lo / reps * 1e3, 3), "latency_cpu_ms": round(cpu_times[-1] / reps * 1e3, 3)})
        med, lo, hi = median_of(lambda: model(batch), warmup=2)
        out.update({"batch": B, "reviews_per_s": round(B / med, 1), "reviews_per_s_max": round(B / lo, 1), "reviews_per_cpu_s": round(B / cpu_times[-1], 1)})
    else:
        raise SystemExit(f"unknown WHAT {what!r}: gen-word, gen-char or cls")
out["rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(out))
