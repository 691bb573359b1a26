"""PyTorch side of rnnkit's AWD-LSTM benchmark (bench/awd.ts): the same workloads with nn.LSTM
and Merity et al.'s regularisers as their salesforce/awd-lstm-lm code applies them (embedded_dropout
on the embedding matrix, LockedDropout, WeightDrop = F.dropout of weight_hh before each forward,
AR/TAR), torch.optim.ASGD, clip_grad_norm_, nn.AdaptiveLogSoftmaxWithLoss.

usage: python3 bench/torch_awd.py '<config json>' <ids file (int32)> <threads> <warmup> <samples> [ftz]
prints one JSON line: {"impl": "pytorch", "step_ms", "min_ms", "max_ms", "cpu_ms" (process CPU time per step, all threads), "tokens_per_s", "torch", "threads"}
"""
import json, statistics, sys, time
import torch
import torch.nn.functional as F

cfg, ids_path, threads, warmup, samples = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
if len(sys.argv) > 6 and sys.argv[6] == "ftz":
    torch.set_flush_denormal(True)
torch.manual_seed(1)
V, E, HS, B, T = cfg["vocab"], cfg["emb"], cfg["hidden"], cfg["batch"], cfg["bptt"]
D = cfg["dropout"]
half = 0.5 if cfg["kind"] == "classifier" else 1.0
p = {k: v * half for k, v in D.items()}


class Awd(torch.nn.Module):
    def __init__(self):
        super().__init__()
        tie = not cfg.get("cutoffs")
        self.encoder = torch.nn.Embedding(V, E)
        self.rnns = torch.nn.ModuleList([torch.nn.LSTM(E if l == 0 else HS[l - 1], h) for l, h in enumerate(HS)])
        top = HS[-1]
        if cfg.get("cutoffs"):
            self.decoder = torch.nn.AdaptiveLogSoftmaxWithLoss(top, V, cfg["cutoffs"], div_value=cfg.get("divValue", 4.0))
        else:
            self.decoder = torch.nn.Linear(top, V)
            self.decoder.weight = self.encoder.weight
        torch.nn.init.uniform_(self.encoder.weight, -0.1, 0.1)

    def encode(self, ids, state):
        w = self.encoder.weight  # embedded_dropout
        mask = w.new_empty((V, 1)).bernoulli_(1 - p["emb"]).expand_as(w) / (1 - p["emb"])
        x = F.embedding(ids, mask * w)
        x = x * (x.new_empty(1, B, E).bernoulli_(1 - p["inp"]) / (1 - p["inp"]))  # LockedDropout
        raws, new_state = [], []
        for l, rnn in enumerate(self.rnns):
            params = dict(rnn.named_parameters())
            params["weight_hh_l0"] = F.dropout(params["weight_hh_l0"], p["w"], training=True)  # WeightDrop
            flat = [params[n] for n in rnn._flat_weights_names]
            h0, c0 = state[l] if state else (x.new_zeros(1, B, rnn.hidden_size), x.new_zeros(1, B, rnn.hidden_size))
            raw, h, c = torch._VF.lstm(x, (h0, c0), flat, True, 1, 0.0, True, False, False)
            new_state.append((h.detach(), c.detach()))
            raws.append(raw)
            q = p["out"] if l == len(self.rnns) - 1 else p["hid"]
            x = raw * (raw.new_empty(1, B, raw.shape[2]).bernoulli_(1 - q) / (1 - q))
        return raws, x, new_state


model = Awd()
ids = torch.from_file(ids_path, size=cfg["n_ids"], dtype=torch.int32).long()
at = [0]


def window():
    n = T * B
    if at[0] + n + 1 > ids.numel():
        at[0] = 0
    x = ids[at[0]:at[0] + n].view(T, B)
    y = ids[at[0] + 1:at[0] + n + 1].view(T, B)
    at[0] += n
    return x, y


if cfg["kind"] == "lm":
    params = list(model.parameters())
    opt = torch.optim.ASGD(params, lr=cfg["lr"], t0=0, lambd=0.0, weight_decay=1.2e-6)
    state = [None]

    def step():
        x, y = window()
        raws, out, state[0] = model.encode(x, state[0])
        h = out.reshape(-1, out.shape[2])
        if isinstance(model.decoder, torch.nn.AdaptiveLogSoftmaxWithLoss):
            lm = model.decoder(h, y.reshape(-1)).loss
        else:
            lm = F.cross_entropy(model.decoder(h), y.reshape(-1))
        loss = lm + cfg["alpha"] * out.pow(2).mean() + cfg["beta"] * (raws[-1][1:] - raws[-1][:-1]).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, cfg["clip"])
        opt.step()
else:
    head = torch.nn.Sequential(torch.nn.Linear(3 * E, 50), torch.nn.ReLU(), torch.nn.Linear(50, 2))
    params = [q for n, q in model.named_parameters() if not n.startswith("decoder.")] + list(head.parameters())  # tied: the matrix is encoder.weight
    opt = torch.optim.Adam(params, lr=1e-3)
    labels = torch.arange(B) % 2

    def step():
        x, _ = window()
        raws, _, _ = model.encode(x, None)
        h = raws[-1]
        pooled = torch.cat([h[-1], h.max(0)[0], h.mean(0)], 1)
        loss = F.cross_entropy(head(pooled), labels)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, cfg["clip"])
        opt.step()

for _ in range(warmup):
    step()
times, cpu = [], []
for _ in range(samples):
    t0, c0 = time.perf_counter(), time.process_time()
    step()
    times.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
med = statistics.median(times)
print(json.dumps({"impl": "pytorch", "step_ms": med * 1e3, "min_ms": min(times) * 1e3, "max_ms": max(times) * 1e3, "cpu_ms": statistics.median(cpu) * 1e3,
                  "tokens_per_s": T * B / med, "torch": torch.__version__, "threads": torch.get_num_threads()}))
