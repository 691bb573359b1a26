"""rnnkit <-> PyTorch: the same models as torch.nn.Modules, built from an rnnkit checkpoint.

An rnnkit checkpoint is a safetensors file whose tensors are the model's state_dict under
PyTorch's names and whose metadata holds one JSON string, "rnnkit", with the model's kind,
config, vocabulary and labels. This module (only PyTorch needed; safetensors is read and
written here) rebuilds the model from that metadata, loads the weights with strict=True, and
writes a checkpoint back that every rnnkit command loads (weights + the same metadata):

    import rnnkit_torch as rt
    model, meta = rt.load("runs/lm/model.safetensors")      # LanguageModel or SequenceClassifier
    ...                                                     # train it with any PyTorch tooling
    rt.save("runs/lm/model-torch.safetensors", model, meta)  # back to rnnkit

LanguageModel mirrors rnnkit's src/models/language-model.ts (time-major tokens [T, B]):
    e = dropout(E[x]);  y, state = RNN(e, state);  logits = decoder(dropout(y))
SequenceClassifier mirrors src/models/sequence-classifier.ts (ids [B, T] right-padded + lengths):
    packed (Bi)RNN over the true lengths, pooling final | mean | max, dropout, linear.
Both match rnnkit's logits to 1e-5 (checked by rnnkit's test suite).

Command line: python3 rnnkit_torch.py MODEL.safetensors   (prints the module and a check)
"""
from __future__ import annotations

import json
import struct
from typing import Any, Dict, Optional, Tuple

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

LM_KIND = "language-model"
CLASSIFIER_KIND = "sequence-classifier"

# --------------------------------------------------------------------------- safetensors

_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}
_NAMES = {v: k for k, v in _DTYPES.items()}


def read_safetensors(path: str) -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
    """Tensors (float types as float32) and the __metadata__ map of a .safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: {len(raw)} bytes, not a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"{path}: header length {n} runs past the end of the file")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    body = memoryview(raw)[8 + n:]
    tensors: Dict[str, torch.Tensor] = {}
    for name, e in header.items():
        dt = _DTYPES.get(e["dtype"])
        if dt is None:
            raise ValueError(f"{path}: tensor {name}: dtype {e['dtype']} is not supported")
        b, en = e["data_offsets"]
        t = torch.frombuffer(bytearray(body[b:en]), dtype=dt) if en > b else torch.empty(0, dtype=dt)
        t = t.reshape(e["shape"])
        tensors[name] = t.float() if t.is_floating_point() else t
    return tensors, meta


def _tensor_bytes(t: torch.Tensor) -> bytes:
    """Little-endian element bytes of a contiguous CPU tensor (numpy when present, else through uint8)."""
    try:
        return t.numpy().tobytes()
    except (ImportError, RuntimeError):
        return bytes(t.reshape(-1).view(torch.uint8).tolist())


def write_safetensors(path: str, tensors: Dict[str, torch.Tensor], metadata: Dict[str, str]) -> None:
    """Write float tensors as F32 and integer tensors as I32 (what rnnkit reads), atomically."""
    import os
    items = []
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        t = t.to(torch.float32) if t.is_floating_point() else t.to(torch.int32)
        items.append((name, t))
    items.sort(key=lambda kv: (kv[1].dtype != torch.float32, kv[0].encode("utf-8")))
    header: Dict[str, Any] = {"__metadata__": metadata}
    off = 0
    for name, t in items:
        nb = t.numel() * t.element_size()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + nb]}
        off += nb
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for _, t in items:
            f.write(_tensor_bytes(t))
    os.replace(tmp, path)

# --------------------------------------------------------------------------- models


def _recurrent(cell: str, input_size: int, hidden: int, layers: int, dropout: float, bidirectional: bool, batch_first: bool) -> nn.Module:
    kw = dict(input_size=input_size, hidden_size=hidden, num_layers=layers, dropout=dropout if layers > 1 else 0.0,
              bidirectional=bidirectional, batch_first=batch_first)
    if cell == "LSTM":
        return nn.LSTM(**kw)
    if cell == "GRU":
        return nn.GRU(**kw)
    if cell in ("RNN_TANH", "RNN_RELU"):
        return nn.RNN(nonlinearity="tanh" if cell == "RNN_TANH" else "relu", **kw)
    raise ValueError(f"unknown cell type {cell!r}; expected LSTM, GRU, RNN_TANH or RNN_RELU")


class LanguageModel(nn.Module):
    """embedding -> dropout -> RNN/LSTM/GRU stack -> dropout -> decoder (rnnkit's LanguageModel)."""

    def __init__(self, vocabSize: int, embeddingDim: int, hiddenSize: int, numLayers: int = 1, cell: str = "LSTM",
                 dropout: float = 0.0, tieWeights: bool = False, **unknown: Any):
        super().__init__()
        if unknown:
            raise ValueError(f"LanguageModel: config fields this version does not know: {sorted(unknown)}")
        self.config = dict(vocabSize=vocabSize, embeddingDim=embeddingDim, hiddenSize=hiddenSize, numLayers=numLayers,
                           cell=cell, dropout=dropout, tieWeights=tieWeights)
        self.cell = cell
        self.embedding = nn.Embedding(vocabSize, embeddingDim)
        self.rnn = _recurrent(cell, embeddingDim, hiddenSize, numLayers, dropout, False, False)
        self.drop = nn.Dropout(dropout)
        self.decoder = nn.Linear(hiddenSize, vocabSize)
        if tieWeights:
            if embeddingDim != hiddenSize:
                raise ValueError(f"LanguageModel: tieWeights needs embeddingDim == hiddenSize, got {embeddingDim} and {hiddenSize}")
            self.decoder.weight = self.embedding.weight

    def init_state(self, batch: int):
        L, H = self.config["numLayers"], self.config["hiddenSize"]
        w = self.decoder.weight
        h = w.new_zeros(L, batch, H)
        return (h, w.new_zeros(L, batch, H)) if self.cell == "LSTM" else h

    def forward(self, tokens: torch.Tensor, state=None):
        """tokens long [T, B] -> logits [T, B, V], state (h or (h, c), each [L, B, H])."""
        e = self.drop(self.embedding(tokens))
        y, state = self.rnn(e, state)
        return self.decoder(self.drop(y)), state


class SequenceClassifier(nn.Module):
    """embedding -> (Bi)RNN over the true lengths -> pooling -> dropout -> linear (rnnkit's SequenceClassifier)."""

    def __init__(self, vocabSize: int, embeddingDim: int, hiddenSize: int, numClasses: int, numLayers: int = 1,
                 cell: str = "LSTM", bidirectional: bool = True, pooling: str = "final", dropout: float = 0.0,
                 paddingIdx: int = 0, **unknown: Any):
        super().__init__()
        if unknown:
            raise ValueError(f"SequenceClassifier: config fields this version does not know: {sorted(unknown)}")
        if pooling not in ("final", "mean", "max"):
            raise ValueError(f"SequenceClassifier: pooling must be final, mean or max, got {pooling!r}")
        self.config = dict(vocabSize=vocabSize, embeddingDim=embeddingDim, hiddenSize=hiddenSize, numClasses=numClasses,
                           numLayers=numLayers, cell=cell, bidirectional=bidirectional, pooling=pooling, dropout=dropout,
                           paddingIdx=paddingIdx)
        self.pooling = pooling
        self.num_directions = 2 if bidirectional else 1
        self.embedding = nn.Embedding(vocabSize, embeddingDim, padding_idx=paddingIdx)
        self.rnn = _recurrent(cell, embeddingDim, hiddenSize, numLayers, dropout, bidirectional, True)
        self.drop = nn.Dropout(dropout)
        self.classifier = nn.Linear(self.num_directions * hiddenSize, numClasses)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """ids long [B, T] right-padded, lengths [B] (any order, 1..T) -> logits [B, classes]."""
        B, T = ids.shape
        packed = pack_padded_sequence(self.embedding(ids), lengths.cpu().long(), batch_first=True, enforce_sorted=False)
        out, h = self.rnn(packed)
        if isinstance(h, tuple):
            h = h[0]
        D = self.num_directions
        if self.pooling == "final":
            pooled = torch.cat([h[-D + d] for d in range(D)], dim=1)  # last layer, [forward; backward]
        else:
            y, _ = pad_packed_sequence(out, batch_first=True, total_length=T)  # [B, T, D*H], zero past each length
            valid = torch.arange(T, device=ids.device)[None, :] < lengths.to(ids.device)[:, None]  # [B, T]
            if self.pooling == "mean":
                inv = (1.0 / lengths.to(torch.float64)).to(y.dtype).to(ids.device)
                pooled = y.sum(1) * inv[:, None]
            else:
                pooled = y.masked_fill(~valid[:, :, None], -1e30).max(1).values
        return self.classifier(self.drop(pooled))

# --------------------------------------------------------------------------- checkpoints


def build(meta: Dict[str, Any]) -> nn.Module:
    """An untrained module for an rnnkit checkpoint's metadata."""
    kind = meta.get("kind")
    if kind == LM_KIND:
        return LanguageModel(**meta["config"])
    if kind == CLASSIFIER_KIND:
        return SequenceClassifier(**meta["config"]["model"])
    raise ValueError(f"rnnkit_torch knows {LM_KIND} and {CLASSIFIER_KIND} checkpoints, got {kind!r}")


def load(path: str) -> Tuple[nn.Module, Dict[str, Any]]:
    """The module of an rnnkit checkpoint with its weights (strict=True), in eval mode, and the metadata."""
    tensors, header = read_safetensors(path)
    if "rnnkit" not in header:
        raise ValueError(f"{path}: a safetensors file without rnnkit metadata (weights only: load them into your own module)")
    meta = json.loads(header["rnnkit"])
    model = build(meta)
    model.load_state_dict(tensors, strict=True)
    model.eval()
    return model, meta


def save(path: str, model: nn.Module, meta: Dict[str, Any], info: Optional[Dict[str, Any]] = None) -> None:
    """Write `model` as an rnnkit checkpoint: its state_dict under PyTorch's names and `meta` (info merged in)."""
    m = dict(meta)
    if info:
        m["info"] = {**(meta.get("info") or {}), **info}
    state = {k: v for k, v in model.state_dict().items()}
    write_safetensors(path, state, {"format": "pt", "rnnkit": json.dumps(m, separators=(",", ":"))})


def read_encoded_data(path: str) -> Tuple[Dict[str, torch.Tensor], Dict[str, Any]]:
    """A data file written by `rnnkit encode-data`: id tensors and their description."""
    tensors, header = read_safetensors(path)
    if "rnnkit_data" not in header:
        raise ValueError(f"{path}: not an rnnkit data file (hint: make one with rnnkit encode-data --model M --data D --out {path})")
    return tensors, json.loads(header["rnnkit_data"])


def ragged(tensors: Dict[str, torch.Tensor], split: str):
    """(list of id tensors, labels) of a classifier split of an encoded data file, or None when absent."""
    if f"{split}.ids" not in tensors:
        return None
    ids, off, labels = tensors[f"{split}.ids"].long(), tensors[f"{split}.offsets"].long(), tensors[f"{split}.labels"].long()
    return [ids[off[i]:off[i + 1]] for i in range(len(labels))], labels


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 2:
        sys.exit("usage: python3 rnnkit_torch.py MODEL.safetensors")
    model, meta = load(sys.argv[1])
    print(model)
    n = sum(p.numel() for p in model.parameters())
    print(f"{meta['kind']}: {n:,} parameters, loaded with strict=True; vocabulary {len(meta['vocab']['tokens']):,} tokens"
          + (f", labels {', '.join(meta.get('labels') or [])}" if meta.get("labels") else ""))
