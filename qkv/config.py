"""The lesson's configuration: a validated model read from a TOML file, plus CLI overrides."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import BadInput
from .model_sizes import D_K, D_MODEL, HEADS, LAYERS

__all__ = [
    "Config",
    "DEFAULT_CONFIG",
    "ExplicitHead",
    "ExplicitSource",
    "Normaliser",
    "Positions",
    "Similarity",
    "load_config",
]

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "default.toml"

# A number typed into a config: finite, and small enough that its products and sums stay
# finite and fit a matrix cell on screen
NUMBER_LIMIT = 1000.0
Number = Annotated[float, Field(allow_inf_nan=False, ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)]
Matrix = list[list[Number]]
# How a query is compared with a key, and how the scores of a row become its weights
Similarity = Literal["scaled_dot", "dot", "cosine", "additive"]
Normaliser = Literal["softmax", "relu"]
# What tells the layer where each token stands: the paper's sine waves, nothing, or (minilm)
# the model's own learned position vectors
Positions = Literal["sinusoidal", "none", "learned"]

# What the minilm source fixes: the model's own sizes, and its biases.
MINILM_FIXED = {
    "d_model": D_MODEL,
    "heads": HEADS,
    "d_k": D_K,
    "d_v": D_K,
    "bias": True,
    "positions": "learned",
}
MINILM_SHAPE = (
    f"d_model {D_MODEL} and {HEADS} heads of d_k {D_K}, with biases and learned positions"
)
Size = Annotated[int, Field(ge=1, le=512)]


class _Strict(BaseModel):
    # Unknown keys and silent type coercion both hide typos in a lecturer's config.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ExplicitHead(_Strict):
    """One head's weights written out by hand; an omitted matrix is the identity."""

    W_Q: Matrix | None = None
    W_K: Matrix | None = None
    W_V: Matrix | None = None


class ExplicitSource(_Strict):
    """Vectors (and optionally weights) typed into the config, e.g. seed 004's apple example."""

    vectors: dict[str, list[Number]] = Field(default_factory=dict)
    heads: list[ExplicitHead] = Field(default_factory=list)
    W_O: Matrix | None = None


class Config(_Strict):
    """Everything that decides a lesson's numbers and how they are shown."""

    sentence: str = "the cat sat on the mat"
    cross: str | None = None  # keys/values from this sentence (cross-attention); None = self
    # The sentence the Cross scene draws keys and values from when the lesson is
    # self-attention (a study beside the trace: the trace itself stays self-attention).
    # The default is the default sentence's French translation; --cross replaces it.
    second_sentence: str = "le chat était assis sur le tapis"
    language: Literal["en", "zh", "ru"] = "en"
    # seeded: drawn from the seed; explicit: typed below; minilm: all-MiniLM-L6-v2's own
    source: Literal["seeded", "explicit", "minilm"] = "seeded"
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    d_model: Size = 6
    heads: Annotated[int, Field(ge=1, le=16)] = 2
    d_k: Size | None = None  # per head; default d_model // heads
    d_v: Size | None = None  # per head; default d_k
    bias: bool = False
    causal: bool = False
    similarity: Similarity = "scaled_dot"
    normaliser: Normaliser = "softmax"
    precision: Annotated[int, Field(ge=0, le=6)] = 2
    # rows: the paper's Q = X·W_Q, softmax per row; columns: seed 001's Q = W_Q·I, softmax per
    # column. Display only: the trace's numbers are the same.
    convention: Literal["rows", "columns"] = "rows"
    # X = E + P. None: the source's own default (seeded: sinusoidal, explicit: none, so seed
    # 004's typed vectors stay exactly as typed)
    positions: Positions | None = None
    explicit: ExplicitSource | None = None
    layer: Annotated[int, Field(ge=0, le=LAYERS - 1)] | None = None  # minilm: which layer
    head: Annotated[int, Field(ge=0)] = 0  # the head the single-head scenes show

    @model_validator(mode="before")
    @classmethod
    def _model_sizes(cls, data: object) -> object:
        # The pretrained model's sizes are the model's: filled in, and a different value asked
        # for is an error rather than silently replaced.
        if not isinstance(data, dict) or data.get("source") != "minilm":
            return data
        data = dict(data)
        for key, size in MINILM_FIXED.items():
            if key in data and data[key] != size:
                raise ValueError(
                    f"the minilm source has {MINILM_SHAPE}, so {key} is {size!r}, not "
                    f'{data[key]!r}; drop {key} (or use source = "seeded")'
                )
            data[key] = size
        data.setdefault("layer", 0)
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        if self.d_k is None and self.d_model % self.heads:
            raise ValueError(
                f"d_model {self.d_model} is not divisible by heads {self.heads}; "
                "change one of them, or set d_k, each head's width (--d-k)"
            )
        if self.cross is not None and not self.cross.strip():
            raise ValueError("cross is empty; give the sentence keys and values come from")
        if not self.second_sentence.strip():
            raise ValueError("second_sentence is empty; give the sentence Cross attends to")
        if self.causal and self.cross is not None:
            raise ValueError("causal masking is for self-attention; drop causal or cross")
        if self.source == "explicit" and self.explicit is None:
            raise ValueError("source 'explicit' needs an [explicit] table with vectors")
        if self.head >= self.heads:
            raise ValueError(
                f"head {self.head} does not exist: heads are numbered 0 to "
                f"{self.heads - 1}; pick one of them"
            )
        if self.source != "minilm":
            if self.positions == "learned":
                raise ValueError(
                    "learned positions are the minilm model's own; use positions = "
                    '"sinusoidal" or "none", or source = "minilm"'
                )
            if self.layer is not None:
                raise ValueError(
                    "layer chooses a layer of the minilm source; drop it, or use that source "
                    '(--source minilm; in a config, source = "minilm")'
                )
            return self
        if self.explicit is not None:
            raise ValueError("the minilm source takes no [explicit] table; drop it")
        model_only = {
            "cross": self.cross is not None,
            "causal": self.causal,
            "similarity": self.similarity != "scaled_dot",
            "normaliser": self.normaliser != "softmax",
        }
        for key, changed in model_only.items():
            if changed:
                raise ValueError(
                    f"all-MiniLM-L6-v2 is an encoder whose heads compute unmasked scaled-dot "
                    f"softmax self-attention; drop {key} to show what the model does "
                    "(the Masking and Alternatives scenes show the what-ifs)"
                )
        return self

    @property
    def head_dim(self) -> int:
        """d_k: the query/key width of one head."""
        return self.d_k if self.d_k is not None else self.d_model // self.heads

    @property
    def position_kind(self) -> Positions:
        """How positions are added to the token vectors, the source's default filled in."""
        if self.positions is not None:
            return self.positions
        return "none" if self.source == "explicit" else "sinusoidal"

    @property
    def value_dim(self) -> int:
        """d_v: the value width of one head."""
        return self.d_v if self.d_v is not None else self.head_dim

    def resolved(self) -> dict[str, Any]:
        """The config as plain data with every default filled in (for trace.json)."""
        data = self.model_dump(mode="json")
        data["d_k"], data["d_v"] = self.head_dim, self.value_dim
        data["positions"] = self.position_kind
        return data

    def with_overrides(self, **overrides: object) -> Config:
        """A copy with the given keys replaced (None means keep), validated again.

        Changing the source drops the sizes (and explicit table) that came with the old one:
        ``--source minilm`` over the default config means the model's sizes, not 6 and 2."""
        data = self.model_dump(exclude_unset=True)
        given = {k: v for k, v in overrides.items() if v is not None}
        if given.get("source", self.source) != self.source:
            # and the head followed: the old source's head may not exist among the new heads
            for key in (*MINILM_FIXED, "explicit", "layer", "head"):
                data.pop(key, None)
        data.update(given)
        return _validate(data, "option", option_names=True)


def _one_line(err: ValidationError, where: str, option_names: bool) -> str:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    if option_names:  # name the flag the user typed: d_model -> --d-model
        if not loc:
            return first["msg"].removeprefix("Value error, ")
        where, loc = f"--{loc.replace('_', '-')}", ""
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        allowed = ", ".join(Config.model_fields)
        return f"{where}: unknown key '{loc}'; known keys: {allowed}"
    got = first.get("input")
    shown = f" (got {got!r})" if first["loc"] and not isinstance(got, dict) else ""
    return f"{where}: {loc + ': ' if loc else ''}{msg}{shown}"


def _validate(data: dict[str, Any], where: str, option_names: bool = False) -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        raise BadInput(_one_line(err, where, option_names)) from None


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a TOML config; ``None`` reads ``config/default.toml``."""
    path = Path(path) if path is not None else DEFAULT_CONFIG
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"config file {path} does not exist; see config/ for examples") from None
    except (OSError, UnicodeDecodeError) as err:
        raise BadInput(f"config file {path} cannot be read: {err}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise BadInput(f"config file {path} is not valid TOML: {err}") from None
    return _validate(data, f"config {path}")
