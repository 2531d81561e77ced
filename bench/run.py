"""`make bench`: run every benchmark script in this folder, then print one summary table.

Each benchmark writes bench/out/<name>.json (figures, parameters, core count). Pass --quick for shorter
runs while developing; extra arguments go to every script.
"""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"common.py", "run.py", "__init__.py"}


def flat(figures: dict, prefix: str = ""):
    """(dotted key, value) of every scalar figure, nested dictionaries included (lists are details)."""
    for key, value in figures.items():
        if isinstance(value, dict):
            yield from flat(value, f"{prefix}{key}.")
        elif isinstance(value, (int, float, str, bool)):
            yield f"{prefix}{key}", value


def main(argv: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name not in NOT_BENCHMARKS)
    failed = []
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        if subprocess.run([sys.executable, str(script), *argv], cwd=HERE.parent).returncode != 0:
            failed.append(script.stem)
    print("\n=== summary ===")
    print(f"{'benchmark':<16} {'figure':<44} value")
    for script in scripts:
        out = HERE / "out" / f"{script.stem}.json"
        if not out.exists():
            continue
        for key, value in flat(json.loads(out.read_text()).get("figures", {})):
            print(f"{script.stem:<16} {key:<44} {value}")
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
