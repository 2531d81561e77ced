"""The configurator engine on the demo air conditioner and on small hand-made families."""

import json
import re
from dataclasses import replace
from decimal import Decimal

import pytest

from orders.configurator import (
    Choice,
    Family,
    Group,
    Option,
    Rule,
    SpecError,
    check_family,
    compile_family,
    default_selection,
    evaluate,
    forget_family,
)
from orders.demo_catalog import air_conditioner


@pytest.fixture(scope="module")
def ac():
    return compile_family(air_conditioner())


@pytest.fixture(scope="module")
def defaults(ac):
    return default_selection(ac)


def test_it_accepts_the_defaults_and_prices_them(ac, defaults):
    result = evaluate(ac, defaults)
    assert result.complete and result.valid and result.satisfiable
    assert not result.errors and not result.broken and result.fix is None
    # base 549 + standard installation 199 + 5 m of pipe at 12 EUR
    assert result.price == Decimal("808.00")
    kinds = [(line.kind, line.code, line.amount) for line in result.price_lines if line.amount]
    assert kinds == [("base", "AC-SPLIT", Decimal("549.00")), ("option", "INSTALL_STANDARD", Decimal("199.00")), ("unit_price", "AC_PIPE_METRE", Decimal("60.00"))]


def test_it_says_the_wifi_module_needs_the_smart_panel(ac, defaults):
    result = evaluate(ac, {**defaults, "CONNECTIVITY": ["CONN_WIFI"]})
    assert not result.valid
    assert [(b.code, b.options) for b in result.broken] == [("AC_WIFI_SMART", ("CONN_WIFI",))]
    remote = result.options["CTRL_REMOTE"]
    assert remote.chosen and not remote.available
    assert remote.rules == ("AC_WIFI_SMART",)
    assert remote.messages == ("The Wi-Fi module needs the smart touch panel.",)
    assert remote.blocked_by == (Choice("CONNECTIVITY", "CONN_WIFI"),)
    assert result.options["CTRL_SMART"].available
    fix = result.fix
    assert [(c.group, c.before, c.after) for c in fix.changes] == [("CONTROL", "CTRL_REMOTE", "CTRL_SMART")]
    assert fix.selection == {**defaults, "CONNECTIVITY": ["CONN_WIFI"], "CONTROL": "CTRL_SMART"}
    assert evaluate(ac, fix.selection).valid


def test_it_blocks_the_slim_unit_once_the_7kw_compressor_is_chosen(ac):
    result = evaluate(ac, {"CAPACITY": "COMP_7KW"})
    slim = result.options["IDU_SLIM"]
    assert not slim.available
    assert slim.rules == ("AC_7KW_SLIM",)
    assert slim.blocked_by == (Choice("CAPACITY", "COMP_7KW"),)
    # the alternatives of a chosen single-choice group stay open: changing the capacity is always possible
    assert all(result.options[code].available for code in ("COMP_2_6KW", "COMP_3_5KW", "COMP_5KW", "COMP_7KW"))


def test_it_narrows_the_pipe_length_under_a_condition(ac):
    result = evaluate(ac, {"REFRIGERANT": "REF_R290"})
    pipe = result.numeric["PIPE_LENGTH"]
    assert [(r.minimum, r.maximum, r.step) for r in pipe.allowed] == [(Decimal("3"), Decimal("10"), Decimal("0.5"))]
    assert [(b.minimum, b.maximum, b.rules) for b in pipe.blocked] == [(Decimal("10.5"), Decimal("25"), ("AC_R290_PIPE",))]
    assert pipe.blocked[0].blocked_by == (Choice("REFRIGERANT", "REF_R290"),)


def test_it_names_the_number_that_breaks_a_range(ac, defaults):
    result = evaluate(ac, {**defaults, "REFRIGERANT": "REF_R290", "PIPE_LENGTH": "12"})
    assert [(b.code, b.group, b.value) for b in result.broken] == [("AC_R290_PIPE", "PIPE_LENGTH", Decimal("12"))]
    assert not result.options["REF_R290"].available
    assert result.options["REF_R290"].blocked_by == (Choice("PIPE_LENGTH", value=Decimal("12")),)
    changes = result.fix.changes
    assert len(changes) == 1 and changes[0].group in ("PIPE_LENGTH", "REFRIGERANT")


def test_it_adds_surcharges_and_prices_per_unit(ac, defaults):
    selection = {**defaults, "CAPACITY": "COMP_7KW", "INSTALLATION": "INSTALL_EXPRESS", "PIPE_LENGTH": "7.5", "EXTRAS": ["EXTRA_PADS"]}
    result = evaluate(ac, selection)
    assert result.valid
    lines = {line.code: line for line in result.price_lines}
    assert lines["AC_EXPRESS_7KW"].kind == "surcharge" and lines["AC_EXPRESS_7KW"].amount == Decimal("80.00")
    assert lines["AC_PIPE_METRE"].quantity == Decimal("7.5") and lines["AC_PIPE_METRE"].amount == Decimal("90.00")
    assert result.price == sum(line.amount for line in result.price_lines)
    assert result.price == Decimal("549") + 430 + 299 + 15 + 80 + 90


def test_the_variant_code_ignores_the_order_of_choice(ac, defaults):
    one = {**defaults, "EXTRAS": ["EXTRA_PADS", "EXTRA_BRACKET"], "PIPE_LENGTH": "7.50"}
    other = dict(reversed(list({**defaults, "EXTRAS": ["EXTRA_BRACKET", "EXTRA_PADS"], "PIPE_LENGTH": Decimal("7.5")}.items())))
    code = evaluate(ac, one).variant_code
    assert re.fullmatch(r"AC-SPLIT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code)
    assert evaluate(ac, other).variant_code == code
    assert evaluate(ac, {**one, "PIPE_LENGTH": "8"}).variant_code != code
    assert evaluate(ac, {**one, "CONNECTIVITY": ["CONN_WIFI"]}).variant_code is None


@pytest.mark.parametrize(
    "group, answer, code",
    [
        ("NO_SUCH_GROUP", "X", "unknown_group"),
        ("CAPACITY", "COMP_99KW", "unknown_option"),
        ("CAPACITY", "IDU_SLIM", "unknown_option"),
        ("CAPACITY", ["COMP_7KW"], "wrong_type"),
        ("EXTRAS", "EXTRA_PADS", "wrong_type"),
        ("EXTRAS", ["EXTRA_PADS", "EXTRA_PUMP", "EXTRA_BRACKET", "EXTRA_UVC", "EXTRA_WINTER"], "too_many"),
        ("PIPE_LENGTH", "many", "not_a_number"),
        ("PIPE_LENGTH", True, "not_a_number"),
        ("PIPE_LENGTH", "30", "out_of_range"),
        ("PIPE_LENGTH", "2.5", "out_of_range"),
        ("PIPE_LENGTH", "5.2", "off_step"),
    ],
)
def test_it_names_the_group_and_the_reason_of_malformed_input(ac, defaults, group, answer, code):
    result = evaluate(ac, {**defaults, group: answer})
    assert [(e.group, e.code) for e in result.errors] == [(group, code)]
    assert result.errors[0].message
    assert not result.valid and result.variant_code is None
    assert result.fix is not None
    fixed = evaluate(ac, result.fix.selection)
    assert fixed.valid, result.fix


def test_it_moves_an_out_of_range_number_to_the_nearest_allowed_value(ac, defaults):
    result = evaluate(ac, {**defaults, "PIPE_LENGTH": "40"})
    assert [(c.group, c.after) for c in result.fix.changes] == [("PIPE_LENGTH", Decimal("25"))]
    result = evaluate(ac, {**defaults, "REFRIGERANT": "REF_R290", "PIPE_LENGTH": "40"})
    assert [(c.group, c.after) for c in result.fix.changes] == [("PIPE_LENGTH", Decimal("10"))]


def _family(*rules, **groups_changes):
    groups = (
        Group("COLOUR", "Colour", options=(Option("RED", "Red", 0, is_default=True), Option("BLUE", "Blue", 5), Option("GOLD", "Gold", 50, active=False))),
        Group("SIZE", "Size", options=(Option("S", "Small"), Option("L", "Large", 20))),
        Group("EXTRAS", "Extras", kind="multi", required=False, min_count=2, max_count=3, options=tuple(Option(f"X{i}", f"Extra {i}", i) for i in range(4))),
    )
    return Family("TOY", "Toy", 100, "EUR", groups, tuple(rules))


def test_it_reports_inactive_options_and_too_few_choices():
    toy = compile_family(_family())
    result = evaluate(toy, {"COLOUR": "GOLD", "SIZE": "S", "EXTRAS": ["X1"]})
    assert {(e.group, e.code) for e in result.errors} == {("COLOUR", "inactive_option"), ("EXTRAS", "too_few")}
    assert "GOLD" not in result.options  # inactive options are not offered at all
    assert result.missing == ("COLOUR",)
    # "too few" keeps the choices made and asks for more: the fix adds one
    change = next(c for c in result.fix.changes if c.group == "EXTRAS")
    assert change.removed == () and len(change.added) == 1 and "X1" in change.after


def test_a_multi_group_keeps_its_ticks_when_offering_more():
    toy = compile_family(_family(Rule("R", "excludes", {"all": ["X0"]}, ["X1"], message="X0 and X1 clash")))
    result = evaluate(toy, {"COLOUR": "RED", "SIZE": "S", "EXTRAS": ["X0", "X2"]})
    assert result.valid
    assert not result.options["X1"].available
    assert result.options["X1"].blocked_by == (Choice("EXTRAS", "X0"),)
    assert result.options["X3"].available  # a third tick is allowed (max 3)
    full = evaluate(toy, {"COLOUR": "RED", "SIZE": "S", "EXTRAS": ["X0", "X2", "X3"]})
    assert not full.options["X1"].available


def test_an_unanswered_optional_group_may_still_be_filled_but_counts_as_empty():
    toy = compile_family(_family(Rule("R", "requires", {"all": ["L"]}, ["X3"], message="Large needs extra 3")))
    partial = evaluate(toy, {"COLOUR": "RED", "SIZE": "L"})
    assert partial.options["L"].available and partial.satisfiable
    assert [b.code for b in partial.broken] == ["R"]  # as it stands, nothing is chosen in EXTRAS
    assert [c.group for c in partial.fix.changes] == ["EXTRAS"]
    assert "X3" in partial.fix.selection["EXTRAS"]


def test_the_fix_changes_the_fewest_groups():
    toy = compile_family(
        _family(
            Rule("R1", "excludes", {"all": ["BLUE"]}, ["L"], message="no large blue"),
            Rule("R2", "requires", {"all": ["L"]}, ["RED"], message="large is red"),
        )
    )
    result = evaluate(toy, {"COLOUR": "BLUE", "SIZE": "L"})
    assert len(result.fix.changes) == 1
    assert result.fix.changes[0].group == "COLOUR" and result.fix.changes[0].after == "RED"


def test_a_family_without_any_valid_configuration_offers_nothing_and_no_fix():
    toy = compile_family(_family(Rule("R1", "excludes", {}, ["S", "L"], message="no size at all")))
    result = evaluate(toy, {})
    assert not result.satisfiable and result.fix is None
    assert not any(state.available for state in result.options.values())
    assert result.options["RED"].rules == ("R1",) and result.options["RED"].blocked_by == ()


def test_the_evaluation_is_json_ready(ac, defaults):
    data = evaluate(ac, {**defaults, "CAPACITY": "COMP_7KW", "INDOOR_UNIT": "IDU_SLIM"}).as_dict()
    text = json.dumps(data)
    assert '"AC_7KW_SLIM"' in text and data["price"] == "1328.00"


def test_it_compiles_once_and_forgets_on_change():
    spec = air_conditioner()
    first = compile_family(spec)
    assert compile_family(air_conditioner()) is first
    assert compile_family(replace(spec, version="2")) is not first
    changed = replace(spec, base_price=Decimal("599"))
    assert compile_family(changed) is not first
    forget_family(spec.code)
    assert compile_family(spec) is not first


def test_it_refuses_a_spec_that_cannot_compile():
    broken = Family("BAD", "Bad", 0, "EUR", (Group("A", "A", options=(Option("X", "x"),)), Group("B", "B", options=(Option("X", "x"),))), (Rule("R", "range", group="A"),))
    with pytest.raises(SpecError) as caught:
        compile_family(broken)
    assert {p.code for p in caught.value.problems} == {"duplicate_option", "rule_group"}
    assert {p.code for p in check_family(broken)} == {"duplicate_option", "rule_group"}


def test_it_checks_a_family_for_the_catalog_editor():
    family = _family(
        Rule("R1", "requires", {"all": ["NOPE"]}, ["S"], message="unknown"),
        Rule("R2", "excludes", {}, ["BLUE"], message="never blue"),
        Rule("R3", "requires", {"all": ["GOLD"]}, ["S"], message="inactive"),
    )
    problems = {(p.code, p.subject) for p in check_family(family)}
    assert problems == {("unknown_option", "R1"), ("never_chosen", "BLUE"), ("inactive_option", "R3")}
    unsatisfiable = _family(Rule("R1", "excludes", {}, ["S", "L"], message="no size"))
    assert [p.code for p in check_family(unsatisfiable)] == ["unsatisfiable"]
