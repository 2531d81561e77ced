"""How fast Cosmo refuses hostile input, beside a request it accepts.

Runs Django in this process on a fresh SQLite database with the demo data and times the server's whole
answer (middleware, parser, view) to the probes that once took a web worker down: an order of 7,000 lines
(about 2 MB), JSON nested 100,000 deep, a selection holding 1e999. The reference is the configurator check
of the same air conditioner's default selection, accepted. Each figure is the median of several requests.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import demo_django, figures_show, write_result  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    count = 5 if args.quick else args.requests

    demo_django()
    from rest_framework.test import APIClient

    from cosmo.models import User
    from orders.configuration import family_defaults
    from orders.models import Order, ProductFamily

    api = APIClient(HTTP_HOST="localhost")
    api.force_authenticate(User.objects.get(username="consumer"))
    family = ProductFamily.objects.get(code="AC-SPLIT")
    selection = json.loads(json.dumps(family_defaults(family), default=str))
    line = {"family": family.code, "configuration": selection, "quantity": 1}
    probes = {
        "check_accepted": ("/api/families/AC-SPLIT/check/", json.dumps({"selection": selection}), 200),
        "order_7000_lines_refused": (
            "/api/orders/", json.dumps({"delivery_address": "1 Road", "lines": [line] * 7000}), 400,
        ),
        "json_100000_deep_refused": ("/api/orders/", "[" * 100_000 + "]" * 100_000, 400),
        "number_1e999_refused": (
            "/api/families/AC-SPLIT/check/", '{"selection": {"PIPE_LENGTH": 1e999}}', 400,
        ),
    }
    figures = {}
    for name, (url, body, expected) in probes.items():
        timings = []
        for _ in range(count + 2):
            start = time.perf_counter()
            response = api.post(url, body, content_type="application/json")
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == expected, (name, response.status_code, response.content[:300])
        figures[f"{name}_ms"] = round(statistics.median(timings[2:]), 2)  # the first two warm the caches
    figures["body_7000_lines_bytes"] = len(probes["order_7000_lines_refused"][1])
    figures["orders_created"] = Order.objects.count()
    figures["load_average_1min"] = os.getloadavg()[0]
    path = write_result("hostile", {"requests": count}, figures)
    figures_show(figures, path)
    return 0 if figures["orders_created"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
