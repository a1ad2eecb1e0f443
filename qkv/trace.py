"""The trace: every intermediate of one attention layer, frozen, with its JSON form."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .attention import HeadResult
from .errors import BadInput
from .files import atomic
from .sources import HeadWeights

__all__ = ["TRACE_VERSION", "HeadTrace", "Trace"]

TRACE_VERSION = 3  # 2: E and P (X = E + P) beside X; 3: the digest covers every field
Array = NDArray[np.float64]

# The digest hashes values rounded to 9 significant digits: enough to tell any two lessons
# apart, while the last-bit differences of BLAS kernels on other CPUs cannot change it.
_DIGEST_FORMAT = ".8e"


def _frozen(a: object, dtype: type[np.generic] = np.float64) -> NDArray[Any] | None:
    if a is None:
        return None
    arr: NDArray[Any] = np.array(a, dtype=dtype)  # a private copy
    arr.setflags(write=False)
    return arr


def _json(a: NDArray[Any] | None) -> Any:
    return None if a is None else a.tolist()


def _values(parts: HeadWeights | HeadResult) -> dict[str, Any]:
    # a dataclass's fields by name, the arrays themselves (dataclasses.asdict would copy them)
    return {f.name: getattr(parts, f.name) for f in fields(parts)}


# The layer's own arrays, in trace.json's order and the digest's
_LAYER_ARRAYS = ("E", "P", "X", "E_kv", "P_kv", "X_kv", "concat", "W_O", "b_O", "output")
# Everything else trace.json holds, also in the digest: a scene reads tokens and config too
_TEXTS = ("version", "sentence", "tokens", "config", "kv_sentence", "kv_tokens")


# The fields are HeadWeights' then HeadResult's: a dataclass collects its bases' fields from
# the last base to the first. That order is trace.json's (W_Q … w_a, Q … output) and the
# digest's, so the bases must stay in this order.
@dataclass(frozen=True, eq=False)
class HeadTrace(HeadResult, HeadWeights):
    """One head: its learned weights and every step from projections to output.

    Every array is a private read-only copy: a scene can read a trace but never change it."""

    def __post_init__(self) -> None:
        for f in fields(self):
            dtype = np.bool_ if f.name == "mask" else np.float64
            object.__setattr__(self, f.name, _frozen(getattr(self, f.name), dtype))

    @classmethod
    def of(cls, params: HeadWeights, result: HeadResult) -> HeadTrace:
        """One head's learned weights and what they computed, as one head of the trace."""
        return cls(**_values(params), **_values(result))

    def to_json(self) -> dict[str, Any]:
        return {f.name: _json(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True, eq=False)
class Trace:
    """Everything a lesson shows, computed once; scenes only read it."""

    sentence: str
    tokens: tuple[str, ...]
    config: dict[str, Any]  # resolved: every default filled in
    # E: the tokens' own vectors; P: their positions' (None if none are added). Seeded and
    # explicit sources: X = E + P. minilm: E holds word + segment embeddings and P the learned
    # positions; layer 0's X is LayerNorm(E + P), a deeper layer's the hidden state entering it.
    E: Array  # (T, d_model)
    P: Array | None  # (T, d_model)
    X: Array  # (T, d_model)
    kv_sentence: str | None
    kv_tokens: tuple[str, ...] | None
    E_kv: Array | None  # (S, d_model), the same for the key/value sentence
    P_kv: Array | None  # (S, d_model)
    X_kv: Array | None  # (S, d_model) for cross-attention, else None (keys/values from X)
    heads: tuple[HeadTrace, ...]
    concat: Array  # (T, h·d_v)
    W_O: Array  # (h·d_v, d_model)
    b_O: Array | None  # (d_model,)
    output: Array  # (T, d_model)
    version: int = TRACE_VERSION

    def __post_init__(self) -> None:
        for name in _LAYER_ARRAYS:
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "config", copy.deepcopy(self.config))  # a private copy
        object.__setattr__(self, "tokens", tuple(self.tokens))
        if self.kv_tokens is not None:
            object.__setattr__(self, "kv_tokens", tuple(self.kv_tokens))
        object.__setattr__(self, "heads", tuple(self.heads))
        self._check_shapes()

    def _check_shapes(self) -> None:
        """Every array's shape follows from the tokens and the config: a trace.json edited by
        hand (a token dropped, ``head = 5``) is refused here, not halfway through a scene."""
        c = self.config
        T, S, d, h = len(self.tokens), len(self.key_tokens), c["d_model"], c["heads"]
        dk, dv = c["d_k"], c["d_v"]
        if T < 1 or not all(isinstance(t, str) and t for t in (*self.tokens, *self.key_tokens)):
            raise ValueError("its tokens are not a list of non-empty strings")
        if len(self.heads) != h or not 0 <= c["head"] < h:
            raise ValueError(f"it has {len(self.heads)} heads, its config {h} (head {c['head']})")
        cross = self.kv_tokens is not None
        wanted: dict[str, tuple[int, ...] | None] = {
            "E": (T, d),
            "X": (T, d),
            "P": (T, d) if self.P is not None else None,
            "E_kv": (S, d) if cross else None,
            "X_kv": (S, d) if cross else None,
            "P_kv": (S, d) if self.P_kv is not None else None,
            "concat": (T, h * dv),
            "W_O": (h * dv, d),
            "b_O": (d,) if self.b_O is not None else None,
            "output": (T, d),
        }
        head_wanted = {"W_Q": (d, dk), "W_K": (d, dk), "W_V": (d, dv), "Q": (T, dk)}
        head_wanted |= {"K": (S, dk), "V": (S, dv), "scores": (T, S), "scaled": (T, S)}
        head_wanted |= {"weights": (T, S), "output": (T, dv)}
        found = [(name, getattr(self, name)) for name in wanted]
        for i, head in enumerate(self.heads):
            found += [(f"heads.{i}.{k}", getattr(head, k)) for k in head_wanted]
            wanted |= {f"heads.{i}.{k}": shape for k, shape in head_wanted.items()}
        for name, array in found:
            shape = None if array is None else array.shape
            if shape != wanted[name]:
                raise ValueError(
                    f"{name} has shape {shape}, but its tokens and config say {wanted[name]}"
                )

    @property
    def key_tokens(self) -> tuple[str, ...]:
        """The tokens on the key/value side: the other sentence's for cross-attention."""
        return self.kv_tokens if self.kv_tokens is not None else self.tokens

    @property
    def digest(self) -> str:
        """sha256 of everything trace.json holds (texts, config, every number), identical
        across runs and machines for the same input."""
        h = hashlib.sha256()
        texts = {name: getattr(self, name) for name in _TEXTS}
        h.update(json.dumps(texts, ensure_ascii=False, sort_keys=True).encode())

        def feed(name: str, a: NDArray[Any] | None) -> None:
            h.update(name.encode())
            if a is None:
                h.update(b"null")
                return
            h.update(str(a.shape).encode())
            for x in np.asarray(a, dtype=np.float64).ravel():
                h.update(format(x + 0.0, _DIGEST_FORMAT).encode())  # + 0.0 turns -0.0 into 0.0

        for name in _LAYER_ARRAYS:
            feed(name, getattr(self, name))
        for i, head in enumerate(self.heads):
            for f in fields(head):
                feed(f"heads.{i}.{f.name}", getattr(head, f.name))
        return h.hexdigest()

    def to_json(self) -> dict[str, Any]:
        """The trace.json contract (DESIGN.md): matrices as lists of rows, full precision."""
        return {
            "version": self.version,
            "sentence": self.sentence,
            "tokens": list(self.tokens),
            "config": copy.deepcopy(self.config),  # the caller's to change, never the trace's
            "E": _json(self.E),
            "P": _json(self.P),
            "X": _json(self.X),
            "kv_sentence": self.kv_sentence,
            "kv_tokens": None if self.kv_tokens is None else list(self.kv_tokens),
            "E_kv": _json(self.E_kv),
            "P_kv": _json(self.P_kv),
            "X_kv": _json(self.X_kv),
            "heads": [h.to_json() for h in self.heads],
            "concat": _json(self.concat),
            "W_O": _json(self.W_O),
            "b_O": _json(self.b_O),
            "output": _json(self.output),
            "digest": self.digest,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Trace:
        """Rebuild a trace from its JSON form (e.g. in a render worker process); a ValueError
        says what is wrong with it."""
        if not isinstance(data, dict):
            raise ValueError("it is not a trace (a JSON object)")
        if data.get("version") != TRACE_VERSION:
            raise ValueError(f"its version {data.get('version')} is not {TRACE_VERSION}")
        missing = [k for k in (*_TEXTS, *_LAYER_ARRAYS, "heads", "digest") if k not in data]
        if missing:
            raise ValueError(f"it has no {', '.join(missing)}")
        head_names = [f.name for f in fields(HeadTrace)]
        trace = cls(
            sentence=data["sentence"],
            tokens=data["tokens"],
            config=data["config"],
            E=data["E"],
            P=data["P"],
            X=data["X"],
            kv_sentence=data["kv_sentence"],
            kv_tokens=data["kv_tokens"],
            E_kv=data["E_kv"],
            P_kv=data["P_kv"],
            X_kv=data["X_kv"],
            heads=tuple(HeadTrace(**{n: h.get(n) for n in head_names}) for h in data["heads"]),
            concat=data["concat"],
            W_O=data["W_O"],
            b_O=data["b_O"],
            output=data["output"],
        )
        if trace.digest != data["digest"]:
            raise ValueError("its digest does not match what it holds: the file was altered")
        return trace

    def write_json(self, path: Path) -> None:
        """Write trace.json atomically: a reader never sees a half-written file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic(path) as partial:
            text = json.dumps(self.to_json(), ensure_ascii=False, indent=1)
            partial.write_text(text, encoding="utf-8")

    @classmethod
    def read_json(cls, path: Path) -> Trace:
        """A trace.json read back; one that cannot be trusted is BadInput naming the file."""
        try:
            return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as err:
            raise BadInput(f"{path} cannot be read: {err}") from None
        except (ValueError, KeyError, TypeError) as err:  # JSON, shapes, digest, fields
            problem = err.args[0] if isinstance(err, ValueError) and err.args else repr(err)
            raise BadInput(
                f"{path} is not a trace this version can read ({problem}); "
                "render it again from its sentence and config"
            ) from None
