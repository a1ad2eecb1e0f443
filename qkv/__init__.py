"""The computational core: attention's every intermediate, in numpy, checked by torch.

Never imports manim: drawing lives in ``scenes/``.
"""

from .config import DEFAULT_CONFIG, Config, load_config
from .derived import lookup, lookup_array
from .errors import BadInput, CoreMismatch
from .pipeline import build_trace
from .tokens import MAX_TOKENS, tokenize
from .trace import HeadTrace, Trace

__all__ = [
    "BadInput",
    "Config",
    "CoreMismatch",
    "DEFAULT_CONFIG",
    "HeadTrace",
    "MAX_TOKENS",
    "Trace",
    "build_trace",
    "load_config",
    "lookup",
    "lookup_array",
    "tokenize",
]
