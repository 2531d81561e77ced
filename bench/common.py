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


def demo_django(database_url: str | None = None, *, network: bool = False) -> None:
    """Start Django in this process on a fresh database holding the demo world (its Qingdao factory alone,
    unless `network`: all three).

    A fresh SQLite file in a temporary folder unless `database_url` names a scratch database (which is
    migrated, emptied and filled); no broker, so nothing is enqueued anywhere real.
    """
    import tempfile

    os.environ.update(COSMO_VAR_DIR=tempfile.mkdtemp(prefix="cosmo-bench-"))
    # Production settings (DEBUG off) with a key good for this scratch process only, over plain HTTP.
    os.environ.setdefault("SECRET_KEY", "cosmo-bench-scratch-only")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cosmo.settings")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    from lifecycle.demo import demo_seed

    call_command("migrate", verbosity=0)
    if database_url:
        call_command("flush", interactive=False, verbosity=0)
    demo_seed(network=network)


def figures_show(figures: dict, path: Path) -> None:
    """Print the figures as a two-column table, then where they were written."""
    width = max(map(len, figures), default=6)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print(f"wrote {path}")


def selection_step(rng, groups, selection: dict) -> dict:
    """One consumer's change in a seeded walk through a family: a random group (code, kind, option codes)
    takes a random answer; returns the form data of the whole selection, as the configurator page posts it."""
    code, kind, options = rng.choice(groups)
    if kind == "numeric":
        selection[code] = str(rng.choice(range(3, 26)))
    elif kind == "multi":
        selection[code] = rng.sample(options, rng.randint(0, min(2, len(options))))
    else:
        selection[code] = rng.choice(options)
    return {c: ([str(x) for x in v] if isinstance(v, list) else str(v)) for c, v in selection.items()}
