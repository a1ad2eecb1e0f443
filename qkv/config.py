"""The lesson's configuration: a validated model read from a TOML file, plus CLI overrides."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import BadInput

__all__ = ["Config", "ExplicitHead", "ExplicitSource", "DEFAULT_CONFIG", "load_config"]

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "default.toml"

Matrix = list[list[float]]
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

    vectors: dict[str, list[float]] = Field(default_factory=dict)
    heads: list[ExplicitHead] = Field(default_factory=list)
    W_O: Matrix | None = None


class Config(_Strict):
    """Everything that decides a lesson's numbers and how they are shown."""

    sentence: str = "the cat sat on the mat"
    cross: str | None = None  # keys/values from this sentence (cross-attention); None = self
    language: Literal["en", "zh", "ru"] = "en"
    source: Literal["seeded", "explicit"] = "seeded"
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    d_model: Size = 6
    heads: Annotated[int, Field(ge=1, le=16)] = 2
    d_k: Size | None = None  # per head; default d_model // heads
    d_v: Size | None = None  # per head; default d_k
    bias: bool = False
    causal: bool = False
    similarity: Literal["scaled_dot", "dot", "cosine", "additive"] = "scaled_dot"
    normaliser: Literal["softmax", "relu"] = "softmax"
    precision: Annotated[int, Field(ge=0, le=6)] = 2
    # rows: the paper's Q = X·W_Q, softmax per row; columns: seed 001's Q = W_Q·I, softmax per
    # column. Display only: the trace's numbers are the same.
    convention: Literal["rows", "columns"] = "rows"
    explicit: ExplicitSource | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        if self.d_k is None and self.d_model % self.heads:
            raise ValueError(
                f"d_model {self.d_model} is not divisible by heads {self.heads}; "
                "change one of them or set d_k"
            )
        if self.cross is not None and not self.cross.strip():
            raise ValueError("cross is empty; give the sentence keys and values come from")
        if self.causal and self.cross is not None:
            raise ValueError("causal masking is for self-attention; drop causal or cross")
        if self.source == "explicit" and self.explicit is None:
            raise ValueError("source 'explicit' needs an [explicit] table with vectors")
        return self

    @property
    def head_dim(self) -> int:
        """d_k: the query/key width of one head."""
        return self.d_k if self.d_k is not None else self.d_model // self.heads

    @property
    def value_dim(self) -> int:
        """d_v: the value width of one head."""
        return self.d_v if self.d_v is not None else self.head_dim

    def resolved(self) -> dict:
        """The config as plain data with every default filled in (for trace.json)."""
        data = self.model_dump(mode="json")
        data["d_k"], data["d_v"] = self.head_dim, self.value_dim
        return data

    def with_overrides(self, **overrides: object) -> Config:
        """A copy with the given keys replaced (None means keep), validated again."""
        data = self.model_dump()
        data.update({k: v for k, v in overrides.items() if v is not None})
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


def _validate(data: dict, where: str, option_names: bool = False) -> Config:
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
