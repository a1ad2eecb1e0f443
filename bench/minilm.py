"""The pretrained source's cost and accuracy, by hand (never in CI): python bench/minilm.py

Measures, each in a fresh process so nothing is cached: loading all-MiniLM-L6-v2's files
(tokenizer.json, model.safetensors), the trace for every layer (the embeddings and the earlier
layers computed in numpy), the torch check, trace.json; then `render.py --no-video` wall time
against the seeded default, and a whole low-quality lesson. Beside them, the largest difference
from transformers' own run of the model (eager attention, in float32 as shipped and in float64)
over English, Chinese and Russian sentences, every layer and head. Writes bench/minilm.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SENTENCES = ("the cat sat on the mat", "中国人学中文", "кошка спит")

# Runs in a fresh interpreter: the phases of one minilm trace, timed one after another.
PHASES = r"""
import json, sys, time
t = [time.perf_counter()]
from qkv import load_config, build_trace
from qkv import minilm
t.append(time.perf_counter())
minilm._tokenizer(); minilm._weights_file()
t.append(time.perf_counter())
cfg = load_config().with_overrides(source="minilm", layer=int(sys.argv[1]))
trace = build_trace(cfg, check=False)
t.append(time.perf_counter())
from qkv.torch_twin import check_against_torch
t.append(time.perf_counter())
build_trace(cfg)
t.append(time.perf_counter())
trace.write_json(__import__("pathlib").Path(sys.argv[2]))
t.append(time.perf_counter())
names = ["import qkv", "load model files", "trace (numpy)", "import torch", "trace + torch check",
         "write trace.json"]
print(json.dumps(dict(zip(names, (b - a for a, b in zip(t, t[1:]))))))
"""


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def phases(layer: int, out: Path) -> dict[str, float]:
    done = subprocess.run(
        [PY, "-c", PHASES, str(layer), str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def accuracy() -> dict[str, float]:
    """Largest |core − transformers| for X and the attention weights, float32 and float64."""
    import numpy as np
    import torch
    from transformers import AutoModel

    from qkv import build_trace, load_config, minilm
    from qkv.model_sizes import LAYERS

    model = AutoModel.from_pretrained(str(minilm.model_dir()), attn_implementation="eager")
    worst = {"X, float32": 0.0, "weights, float32": 0.0, "X, float64": 0.0, "weights, float64": 0.0}
    for sentence in SENTENCES:
        _, ids = minilm.tokenize(sentence)
        for dtype, name in ((torch.float32, "float32"), (torch.float64, "float64")):
            with torch.no_grad():
                ref = model.to(dtype).eval()(
                    torch.tensor([ids]), output_attentions=True, output_hidden_states=True
                )
            for layer in range(LAYERS):
                trace = build_trace(
                    load_config().with_overrides(sentence=sentence, source="minilm", layer=layer),
                    check=False,
                )
                x = float(np.abs(trace.X - ref.hidden_states[layer][0].numpy()).max())
                w = max(
                    float(np.abs(h.weights - ref.attentions[layer][0, i].numpy()).max())
                    for i, h in enumerate(trace.heads)
                )
                worst[f"X, {name}"] = max(worst[f"X, {name}"], x)
                worst[f"weights, {name}"] = max(worst[f"weights, {name}"], w)
    return worst


def main() -> None:
    lines = [
        "# The minilm source: cost and accuracy",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} by `python bench/minilm.py`.",
        "",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        lines += [
            "## One trace, phase by phase (a fresh process each, seconds)",
            "",
            "| layer | " + " | ".join(phases(0, tmp / "t.json")) + " | trace.json |",
            "|---" * 9 + "|",
        ]
        for layer in range(6):
            p = phases(layer, tmp / "t.json")
            size = (tmp / "t.json").stat().st_size / 1e6
            lines.append(
                f"| {layer} | " + " | ".join(f"{v:.2f}" for v in p.values()) + f" | {size:.1f} MB |"
            )
        cmd = [PY, "render.py", "--no-video", "-q", "--out", str(tmp / "nv")]
        seeded = median(wall(cmd) for _ in range(3))
        real = median(wall([*cmd, "--config", "config/minilm.toml"]) for _ in range(3))
        lines += [
            "",
            "## `render.py --no-video` (median of three, seconds)",
            "",
            f"- seeded default: {seeded:.2f}",
            f"- config/minilm.toml: {real:.2f}",
            "",
        ]
        lesson = {}
        for name, extra in (
            ("seeded default", []),
            ("config/minilm.toml", ["--config", "config/minilm.toml"]),
        ):
            lesson[name] = wall(
                [
                    PY,
                    "render.py",
                    "--quality",
                    "low",
                    "-q",
                    "--jobs",
                    "2",
                    "--out",
                    str(tmp / name.replace("/", "_")),
                    *extra,
                ]
            )
        lines += ["## A whole lesson at low quality, --jobs 2, empty --out (seconds)", ""]
        lines += [f"- {name}: {seconds:.1f}" for name, seconds in lesson.items()]
    lines += [
        "",
        "## Largest difference from transformers (every layer and head of "
        + ", ".join(f'"{s}"' for s in SENTENCES)
        + ")",
        "",
    ]
    lines += [f"- {name}: {value:.2e}" for name, value in accuracy().items()]
    (ROOT / "bench" / "minilm.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
