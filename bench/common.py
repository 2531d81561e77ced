"""Shared plumbing of the benchmarks: every benchmark writes one JSON file under bench/out/."""

import json
import os
import platform
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def write_result(name: str, params: dict, figures: dict) -> Path:
    """Write bench/out/<name>.json with the figures, the parameters and the machine's core count."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    payload = {
        "benchmark": name,
        "params": params,
        "figures": figures,
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
    }
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path
