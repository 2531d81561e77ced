"""The lean check that placing an order uses says exactly what the full evaluation says about validity,
price, selection and variant code, for valid and broken selections alike."""

import random

from orders.configurator import check, compile_family, default_selection, evaluate
from orders.demo_catalog import demo_families_with_descriptions


def test_check_agrees_with_evaluate_on_random_selections():
    rng = random.Random(11)
    for spec, _ in demo_families_with_descriptions():
        family = compile_family(spec)
        for _ in range(150):
            selection = dict(default_selection(family))
            for group in rng.sample(spec.groups, min(3, len(spec.groups))):
                if group.kind == "numeric":
                    selection[group.code] = str(rng.randint(-2, 40))
                elif group.kind == "multi":
                    codes = [o.code for o in group.options]
                    selection[group.code] = rng.sample(codes, rng.randint(0, len(codes)))
                elif rng.random() < 0.1:
                    selection[group.code] = "NO-SUCH-OPTION"
                else:
                    selection[group.code] = rng.choice(group.options).code
            full, lean = evaluate(family, selection), check(family, selection)
            assert (lean.valid, lean.missing, lean.errors, lean.broken) == (
                full.valid, full.missing, full.errors, full.broken
            )
            assert (lean.price, lean.price_lines, lean.variant_code) == (full.price, full.price_lines, full.variant_code)
            assert lean.selection_json() == full.as_dict()["selection"]
            assert lean.price_lines_json() == full.as_dict()["price_lines"]
