"""The demo catalog: three families that compile, with valid defaults and the rules issue 3 asks for."""

from orders.configurator import check_family, compile_family, default_selection, evaluate
from orders.demo_catalog import demo_families, demo_families_with_descriptions


def test_there_are_three_families_that_check_clean():
    families = demo_families()
    assert [f.code for f in families] == ["AC-SPLIT", "FRIDGE", "WASHER"]
    for family in families:
        assert check_family(family) == [], family.code
        compiled = compile_family(family)
        assert evaluate(compiled, default_selection(compiled)).valid
        assert family.currency == "EUR" and family.base_price > 0


def test_the_air_conditioner_is_rich_enough():
    ac = demo_families()[0]
    assert len(ac.groups) >= 8 and len(ac.rules) >= 12
    assert any(g.kind == "numeric" for g in ac.groups)
    assert {r.kind for r in ac.rules} == {"requires", "excludes", "range", "surcharge", "unit_price"}
    assert any(r.kind == "range" and r.condition.codes() for r in ac.rules)
    assert any(r.condition.any for r in ac.rules) and any(r.condition.none for r in ac.rules)


def test_option_codes_are_unique_and_every_option_has_a_picture_layer():
    for family in demo_families():
        codes = [o.code for g in family.groups for o in g.options]
        assert len(codes) == len(set(codes))
        assert all(o.layer for g in family.groups for o in g.options)


def test_every_family_has_a_description():
    assert all(description for _, description in demo_families_with_descriptions())
