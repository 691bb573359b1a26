"""Continue training an rnnkit model with PyTorch DistributedDataParallel, on one or many machines.

    rnnkit encode-data --model runs/lm/model.safetensors --data ../shared/data/ptb --out ptb.ids.safetensors
    torchrun --nproc_per_node 2 python/train_ddp.py --model runs/lm/model.safetensors \\
        --data ptb.ids.safetensors --out runs/lm/model-ddp.safetensors --epochs 2
    npx rnnkit predict-next "the company said" --model runs/lm/model-ddp.safetensors

Many machines: the same command on each with --nnodes N --node_rank R --master_addr HOST
--master_port PORT (torchrun's options). The backend is gloo on CPU and nccl on GPUs (--backend).

The data file is made by rnnkit itself (`rnnkit encode-data`), with the checkpoint's own tokenizer
and vocabulary, from any format rnnkit reads: so text is cut exactly as rnnkit cuts it, and the
loss is rnnkit's — mean next-token cross-entropy with truncated BPTT for a language model (B streams
per process, hidden state carried across windows and detached, reset each epoch; gradient norm
clipped), mean cross-entropy over padded batches with true lengths for a classifier. Each process
reads its own shard; DistributedDataParallel averages the gradients, so a step sees
world_size x batch_size streams (or examples). Process 0 validates after each epoch (perplexity as
rnnkit eval-lm computes it; accuracy for classifiers) and writes the checkpoint, which loads in
every rnnkit command. Progress: one JSON object per line on stdout (process 0).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnnkit_torch as rt  # noqa: E402


def log(rank: int, **event) -> None:
    if rank == 0:
        print(json.dumps(event), flush=True)


def batchify(ids: torch.Tensor, B: int) -> torch.Tensor:
    """rnnkit's batchify: B contiguous streams, sequence-first [nSteps, B]."""
    n = ids.numel() // B
    if n < 2:
        raise SystemExit(f"train_ddp: {ids.numel()} tokens give {n} step(s) per stream with batch size {B}; use a smaller --batch-size")
    return ids[: n * B].view(B, n).t().contiguous()


@torch.no_grad()
def lm_perplexity(model, ids: torch.Tensor, device, bptt: int = 35, B: int = 10) -> float:
    """rnnkit's evaluateLm: batch 10 streams, windows of bptt, summed cross-entropy / tokens."""
    model.eval()
    B = max(1, min(B, ids.numel() // 2))
    s = batchify(ids.long(), B).to(device)
    state = model.init_state(B)
    total, count = 0.0, 0
    for i in range(0, s.size(0) - 1, bptt):
        T = min(bptt, s.size(0) - 1 - i)
        logits, state = model(s[i:i + T], state)
        total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), s[i + 1:i + 1 + T].reshape(-1), reduction="sum").item()
        count += T * B
    model.train()
    return math.exp(total / count)


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def pad(seqs, pad_id: int, device):
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    ids = torch.full((len(seqs), int(lengths.max())), pad_id, dtype=torch.long)
    for b, s in enumerate(seqs):
        ids[b, : len(s)] = s
    return ids.to(device), lengths


@torch.no_grad()
def cls_eval(model, seqs, labels, pad_id: int, device, B: int = 64):
    model.eval()
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    loss, correct = 0.0, 0
    for k in range(0, len(order), B):
        idx = order[k:k + B]
        ids, lengths = pad([seqs[i] for i in idx], pad_id, device)
        y = labels[idx].to(device)
        logits = model(ids, lengths)
        loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += int((logits.argmax(1) == y).sum())
    model.train()
    return loss / len(seqs), correct / len(seqs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="rnnkit checkpoint to start from (.safetensors)")
    ap.add_argument("--data", required=True, help="data file from `rnnkit encode-data` for this model")
    ap.add_argument("--out", required=True, help="checkpoint to write (rnnkit format)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many optimizer steps (0: no limit)")
    ap.add_argument("--time-limit", type=float, default=0, help="stop after this many seconds of training (0: no limit)")
    ap.add_argument("--batch-size", type=int, default=0, help="streams (LM, default 20) or examples (classifier, default 32) per process")
    ap.add_argument("--bptt", type=int, default=35, help="LM window length")
    ap.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    ap.add_argument("--lr", type=float, default=0, help="default: 2e-3 (adam), 20 (sgd)")
    ap.add_argument("--clip", type=float, default=0, help="gradient-norm clip (default: LM 0.25 with sgd, 1 with adam; classifier 5)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--backend", choices=["auto", "gloo", "nccl"], default="auto")
    ap.add_argument("--log-every", type=int, default=20)
    a = ap.parse_args()

    backend = a.backend if a.backend != "auto" else ("nccl" if torch.cuda.is_available() else "gloo")
    dist.init_process_group(backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local}") if backend == "nccl" else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    torch.manual_seed(a.seed * 1000 + rank)  # dropout differs per process; the weights come from the checkpoint

    model, meta = rt.load(a.model)
    model.train().to(device)
    tensors, info = rt.read_encoded_data(a.data)
    if info.get("kind") != meta["kind"]:
        raise SystemExit(f"train_ddp: {a.data} holds {info.get('kind')} data but {a.model} is a {meta['kind']}")
    if info.get("vocabSize") != len(meta["vocab"]["tokens"]):
        raise SystemExit(f"train_ddp: {a.data} was encoded for a vocabulary of {info.get('vocabSize')} tokens, the model has {len(meta['vocab']['tokens'])} (encode the data with this model)")
    lm = meta["kind"] == rt.LM_KIND
    ddp = DDP(model, device_ids=[local] if device.type == "cuda" else None)
    lr = a.lr or (20.0 if a.optimizer == "sgd" else 2e-3)
    clip = a.clip or ((0.25 if a.optimizer == "sgd" else 1.0) if lm else 5.0)
    opt = torch.optim.SGD(model.parameters(), lr=lr) if a.optimizer == "sgd" else torch.optim.Adam(model.parameters(), lr=lr)
    B = a.batch_size or (20 if lm else 32)
    log(rank, event="start", kind=meta["kind"], world_size=world, backend=backend, batch_per_process=B, lr=lr, clip=clip, optimizer=a.optimizer)

    step, t0, stop = 0, time.time(), False
    history = []

    def budget_left() -> bool:
        done = (a.max_steps and step >= a.max_steps) or (a.time_limit and time.time() - t0 >= a.time_limit)
        flag = torch.tensor([1 if done else 0], device=device)
        dist.all_reduce(flag)  # every process stops at the same step (DDP needs matching collectives)
        return int(flag) == 0

    if lm:
        train = tensors["train"].long()
        shard = train.numel() // world
        stream = batchify(train[rank * shard:(rank + 1) * shard], B).to(device)  # equal shards: equal window counts
        valid = tensors.get("valid")
        if rank == 0 and valid is not None and valid.numel() > 2:
            history.append({"epoch": 0, "valid_perplexity": lm_perplexity(model, valid, device, a.bptt)})
            log(rank, event="valid", **history[-1])
        for epoch in range(1, a.epochs + 1):
            state = model.init_state(B)
            for i in range(0, stream.size(0) - 1, a.bptt):
                if not budget_left():
                    stop = True
                    break
                T = min(a.bptt, stream.size(0) - 1 - i)
                logits, state = ddp(stream[i:i + T], state)
                loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), stream[i + 1:i + 1 + T].reshape(-1))
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
                opt.step()
                state = detach(state)
                step += 1
                if step % a.log_every == 0:
                    log(rank, event="step", epoch=epoch, step=step, loss=loss.item())
            if rank == 0 and valid is not None and valid.numel() > 2:
                history.append({"epoch": epoch, "valid_perplexity": lm_perplexity(model, valid, device, a.bptt)})
                log(rank, event="valid", **history[-1])
            if stop:
                break
    else:
        seqs, labels = rt.ragged(tensors, "train")
        valid = rt.ragged(tensors, "valid")
        pad_id = meta["config"]["model"].get("paddingIdx", 0)
        if rank == 0 and valid is not None:
            l, acc = cls_eval(model, *valid, pad_id, device)
            history.append({"epoch": 0, "valid_loss": l, "valid_accuracy": acc})
            log(rank, event="valid", **history[-1])
        per = len(seqs) // world
        for epoch in range(1, a.epochs + 1):
            g = torch.Generator().manual_seed(a.seed * 7919 + epoch)  # the same permutation in every process
            mine = torch.randperm(len(seqs), generator=g)[rank * per:(rank + 1) * per].tolist()
            pool = B * 50  # sort by length within pools (little padding), then shuffle the batches
            batches = []
            for k in range(0, len(mine), pool):
                chunk = sorted(mine[k:k + pool], key=lambda i: len(seqs[i]))
                batches += [chunk[j:j + B] for j in range(0, len(chunk), B)]
            batches = [batches[i] for i in torch.randperm(len(batches), generator=g).tolist()]
            for idx in batches:
                if not budget_left():
                    stop = True
                    break
                ids, lengths = pad([seqs[i] for i in idx], pad_id, device)
                loss = F.cross_entropy(ddp(ids, lengths), labels[idx].to(device))
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
                opt.step()
                step += 1
                if step % a.log_every == 0:
                    log(rank, event="step", epoch=epoch, step=step, loss=loss.item())
            if rank == 0 and valid is not None:
                l, acc = cls_eval(model, *valid, pad_id, device)
                history.append({"epoch": epoch, "valid_loss": l, "valid_accuracy": acc})
                log(rank, event="valid", **history[-1])
            if stop:
                break

    if rank == 0:
        model.eval()
        rt.save(a.out, model.cpu(), meta, info={"torch": {"trainer": "python/train_ddp.py", "world_size": world, "backend": backend,
                                                        "steps": step, "optimizer": a.optimizer, "lr": lr, "history": history}})
        log(rank, event="saved", path=a.out, steps=step, seconds=round(time.time() - t0, 2))
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
