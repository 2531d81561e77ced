"""Demo data for `make run` and the tests: a factory with three lines, the demo catalog with BOMs (one
sub-assembly) and routings, four suppliers with offers (three on autopilot), some stock, and a user of
each role."""

import math
from decimal import Decimal

from django.db import transaction

from cosmo.models import User
from orders import demo_catalog
from orders.catalog import family_load
from orders.models import ProductFamily
from production.demo_bom import BOMS, PARTS, ROUTINGS, SUBASSEMBLIES
from production.models import (
    BomLine,
    Changeover,
    Crew,
    Factory,
    Line,
    LineCapability,
    LineSimulation,
    Part,
    PartComponent,
    RoutingStep,
    SetupGroup,
    Shift,
    TariffBand,
    Stock,
)
from suppliers.models import (
    AutopilotProfile,
    Offer,
    PriceBreak,
    Supplier,
    SupplierMember,
)

DEMO_PASSWORD = "cosmo-demo"
# username, role, portal (what `make run` prints)
DEMO_USERS = [
    ("consumer", "consumer", "/shop/"),
    ("supplier", "supplier member", "/supplier/ (Qingdao Compressor Works)"),
    ("planner", "planner", "/planner/"),
    ("admin", "admin", "/admin/"),
]

_METAL_AND_PLASTICS = (
    "HSG PNL FLT REF PIPE CBL BRK PMP PAD KIT UVC CAB DOOR DSP FAN DRUM TUB STEAM DOSE HEAT HOSE FST PKG".split()
)
# code, name, autopilot, {part code prefix: (price factor, lead time in days, minimum quantity)}
SUPPLIERS = [
    # QCW is next door to the factory: cheapest and quickest. GCC, far south, is the second source.
    ("QCW", "Qingdao Compressor Works", False, {"CMP": (1.00, 3, 1), "MOT": (1.05, 4, 1)}),
    ("GCC", "Guangdong Compressor Co.", True, {"CMP": (1.12, 5, 1), "MOT": (1.10, 6, 1)}),
    ("HEL", "Haiyang Electronics", True, {"PCB": (1.00, 3, 5), "WIFI": (1.00, 3, 10), "RMT": (1.00, 3, 10)}),
    ("SMP", "Shandong Metal & Plastics", True, {prefix: (1.00, 2, 1) for prefix in _METAL_AND_PLASTICS}),
]
# How each supplier on autopilot behaves (seeded: a run repeats exactly). QCW has none: a person answers.
AUTOPILOT = {
    "GCC": {"seed": 37, "confirm_after_hours": 6, "reject_rate": "0.10", "late_rate": "0.10", "late_days": 2},
    "HEL": {"seed": 11, "confirm_after_hours": 3, "reject_rate": "0", "late_rate": "0.15", "late_days": 1},
    "SMP": {"seed": 23, "confirm_after_hours": 2, "reject_rate": "0", "late_rate": "0.10", "late_days": 1},
}
# Parts made per factory day, by supplier and part code prefix (none: no limit).
CAPACITY = {("QCW", "CMP"): 60, ("GCC", "CMP"): 20, ("QCW", "MOT"): 40, ("GCC", "MOT"): 15}
# Cheaper by the metre or by the hundred: (supplier, part code) → [(from quantity, price factor)].
PRICE_BREAKS = {
    ("SMP", "PIPE-CU"): [(100, "0.90"), (500, "0.80")],
    ("SMP", "CBL-INT"): [(100, "0.90")],
    ("HEL", "RMT-IR"): [(100, "0.85")],
}


def demo_is_loaded() -> bool:
    return ProductFamily.objects.exists()


@transaction.atomic
def demo_seed() -> None:
    """Load the whole demo world. Run it on an empty database (see `seed_demo --if-empty`)."""
    factory = Factory.objects.create(code="QD1", name="Qingdao Interconnected Factory", timezone="Asia/Shanghai")
    lines = [
        Line.objects.create(factory=factory, code=f"L{n}", name=name)
        for n, name in enumerate(["Line 1 · Cooling", "Line 2 · Flexible", "Line 3 · Laundry"], start=1)
    ]
    families = {}
    for spec, description in demo_catalog.demo_families_with_descriptions():
        families[spec.code] = family_load(spec, description=description)

    parts = {code: Part.objects.create(code=code, name=name, unit=unit) for code, name, unit, _ in PARTS}
    for family_code, bom in BOMS.items():
        for part_code, quantity, per_group, condition in bom:
            BomLine.objects.create(
                family=families[family_code],
                part=parts[part_code],
                quantity=Decimal(str(quantity)),
                per_group=per_group,
                **_condition(condition),
            )
    for family_code, routing in ROUTINGS.items():
        for sequence, name, minutes, condition in routing:
            RoutingStep.objects.create(
                family=families[family_code],
                sequence=sequence,
                name=name,
                minutes=Decimal(str(minutes)),
                **_condition(condition),
            )
    # Which line makes what, at what speed.
    capabilities = {
        lines[0]: [(code, "1.2") for code in families if code.startswith("AC")],
        lines[1]: [(code, "1.0") for code in families],
        lines[2]: [(code, "1.1") for code in families if not code.startswith("AC")],
    }
    for line, makes in capabilities.items():
        for code, speed in makes:
            LineCapability.objects.create(line=line, family=families[code], speed=Decimal(speed))
    for assembly, components in SUBASSEMBLIES.items():
        for component, quantity in components:
            PartComponent.objects.create(
                assembly=parts[assembly], component=parts[component], quantity=Decimal(str(quantity))
            )
    _calendar_and_setups(factory, lines, families)
    usage = _daily_usage()
    lead = {code: min(terms[p][1] for _, _, _, terms in SUPPLIERS for p in terms if code.split("-")[0] == p)
            for code in parts if code not in SUBASSEMBLIES}  # fmt: skip
    for code, part in parts.items():
        if code not in SUBASSEMBLIES:
            Stock.objects.create(
                factory=factory, part=part, on_hand=Decimal(str(_initial_stock(code))),
                **_replenishment(code, usage.get(code, 0.0), lead[code]),
            )  # fmt: skip

    suppliers = {}
    for code, name, autopilot, terms in SUPPLIERS:
        suppliers[code] = Supplier.objects.create(code=code, name=name, autopilot=autopilot)
        if code in AUTOPILOT:
            profile = {k: Decimal(v) if isinstance(v, str) else v for k, v in AUTOPILOT[code].items()}
            AutopilotProfile.objects.create(supplier=suppliers[code], **profile)
    for part_code, _, _, price in PARTS:
        for supplier_code, _, _, terms in SUPPLIERS:
            prefix = next((p for p in terms if part_code.split("-")[0] == p), None)
            if prefix is None:
                continue
            factor, lead_time, minimum = terms[prefix]
            capacity = CAPACITY.get((supplier_code, prefix))
            offer = Offer.objects.create(
                supplier=suppliers[supplier_code],
                part=parts[part_code],
                price=(Decimal(str(price)) * Decimal(str(factor))).quantize(Decimal("0.01")),
                lead_time_days=lead_time,
                min_quantity=Decimal(minimum),
                daily_capacity=Decimal(capacity) if capacity else None,
            )
            for from_quantity, break_factor in PRICE_BREAKS.get((supplier_code, part_code), []):
                PriceBreak.objects.create(
                    offer=offer,
                    min_quantity=Decimal(from_quantity),
                    price=(offer.price * Decimal(break_factor)).quantize(Decimal("0.01")),
                )

    for username, role, _ in DEMO_USERS:
        user = User.objects.create_user(
            username=username,
            email=f"{username}@cosmo.example",
            password=DEMO_PASSWORD,
            role={"supplier member": User.Role.SUPPLIER}.get(role, role),
            is_staff=role == "admin",
            is_superuser=role == "admin",
        )
        if user.is_supplier_member:
            SupplierMember.objects.create(user=user, supplier=suppliers["QCW"])


# Shifts per line, factory-local: (weekdays, start, end). Line 1 runs round the clock six days a week;
# the flexible line two shifts on weekdays and a Saturday morning; the laundry line two shifts.
SHIFTS = {
    "L1": [(range(6), "06:00", "14:00"), (range(6), "14:00", "22:00"), (range(6), "22:00", "06:00")],
    "L2": [(range(5), "06:00", "14:00"), (range(5), "14:00", "22:00"), ([5], "06:00", "14:00")],
    "L3": [(range(6), "07:00", "15:00"), (range(6), "15:00", "23:00")],
}
# The option group whose choice changes a line's setup, per family (the variant key, see SetupGroup).
SETUP_GROUPS = {"AC-SPLIT": "REFRIGERANT", "FRIDGE": "SIZE", "WASHER": "DRUM"}
# Factory-wide changeovers in minutes (from key, to key); a family code stands for any of its variants.
CHANGEOVERS = [
    ("AC-SPLIT:REF_R32", "AC-SPLIT:REF_R290", 45),  # purge the charging station, rig the hydrocarbon check
    ("AC-SPLIT:REF_R290", "AC-SPLIT:REF_R32", 20),
    ("FRIDGE", "FRIDGE", 30),  # another cabinet size: change the foaming jig
    ("WASHER", "WASHER", 20),  # another drum: change the drum fixture
    ("AC-SPLIT", "FRIDGE", 90),
    ("FRIDGE", "AC-SPLIT", 90),
    ("AC-SPLIT", "WASHER", 60),
    ("WASHER", "AC-SPLIT", 60),
    ("FRIDGE", "WASHER", 60),
    ("WASHER", "FRIDGE", 60),
]


# How each line behaves in the simulation: processing-time spread (coefficient of variation), mean running
# minutes between failures and minutes to repair, power in kW running, changing over, idle and down, and
# the minutes it takes to come back on after standing by; the share of units scrapped (and made again), and
# minor stops per running hour with their mean minutes.
LINE_SIMULATION = {
    "L1": dict(spread_cv=0.08, mtbf_minutes=2400, mttr_minutes=45, power=(55, 30, 12, 4), restart_minutes=30,
               scrap_rate=0.02, minor_stops_per_hour=1.5, minor_stop_minutes=2),
    "L2": dict(spread_cv=0.12, mtbf_minutes=1800, mttr_minutes=60, power=(48, 28, 10, 4), restart_minutes=20,
               scrap_rate=0.03, minor_stops_per_hour=2.0, minor_stop_minutes=3),
    "L3": dict(spread_cv=0.10, mtbf_minutes=3000, mttr_minutes=40, power=(40, 22, 9, 3), restart_minutes=20,
               scrap_rate=0.015, minor_stops_per_hour=1.0, minor_stop_minutes=2),
}
# Operators per line and shift (every shift of the line).
CREWS = {"L1": 6, "L2": 8, "L3": 5}
# The factory's time-of-day electricity tariff (factory time, price per kWh): cheap at night, dear in the
# evening peak. The hours between 21:00 and 22:00 cost the day price.
TARIFF = [
    ("night", "22:00", "06:00", "0.09"),
    ("day", "06:00", "17:00", "0.15"),
    ("peak", "17:00", "21:00", "0.24"),
    ("day", "21:00", "22:00", "0.15"),
]


def line_simulation_seed(line) -> None:
    values = dict(LINE_SIMULATION[line.code])
    running, changeover, idle, down = values.pop("power")
    LineSimulation.objects.create(
        line=line,
        power_running_kw=running,
        power_changeover_kw=changeover,
        power_idle_kw=idle,
        power_down_kw=down,
        **values,
    )


def _calendar_and_setups(factory, lines, families) -> None:
    for line in lines:
        line_simulation_seed(line)
        Crew.objects.create(line=line, operators=CREWS[line.code])
        for weekdays, start, end in SHIFTS[line.code]:
            for weekday in weekdays:
                Shift.objects.create(line=line, weekday=weekday, start=start, end=end)
    for name, start, end, price in TARIFF:
        TariffBand.objects.create(factory=factory, name=name, start=start, end=end, price_kwh=Decimal(price))
    for family_code, group_code in SETUP_GROUPS.items():
        SetupGroup.objects.create(family=families[family_code], group_code=group_code)
    for from_key, to_key, minutes in CHANGEOVERS:
        Changeover.objects.create(factory=factory, from_key=from_key, to_key=to_key, minutes=minutes)


def _condition(condition: dict | None) -> dict:
    condition = condition or {}
    return {
        "condition_all": list(condition.get("all", [])),
        "condition_any": list(condition.get("any", [])),
        "condition_none": list(condition.get("none", [])),
    }


def _initial_stock(part_code: str) -> int:
    # Enough fasteners and packaging for weeks, a few of everything else (replenishment fills the shelves).
    if part_code.startswith(("FST", "PKG")):
        return 500
    return 2


# The volume the demo factory's stock is sized for: units a day of each family (the lines make about 30 a
# day in all). A part's usage is this times its share of the family's configurations: an option of a
# single-choice group is taken by one unit in as many as the group has options, an optional extra by one
# in four, a quantity per metre at the group's default length.
DESIGN_UNITS_PER_DAY = 8


def _daily_usage() -> dict[str, float]:
    """Part code → expected units used a day at the design volume (see DESIGN_UNITS_PER_DAY)."""
    usage: dict[str, float] = {}
    for spec in demo_catalog.demo_families():
        share, numeric = {}, {}
        for group in spec.groups:
            if group.kind == "numeric":
                numeric[group.code] = float(group.default or group.minimum or 1)
            for option in group.options:
                share[option.code] = 0.25 if group.kind == "multi" else 1 / len(group.options)
        for part_code, quantity, per_group, condition in BOMS[spec.code]:
            condition = condition or {}
            p = 1.0
            for code in condition.get("all", []):
                p *= share.get(code, 1.0)
            if condition.get("any"):
                p *= min(1.0, sum(share.get(code, 0.0) for code in condition["any"]))
            p *= max(0.0, 1.0 - sum(share.get(code, 0.0) for code in condition.get("none", [])))
            per_unit = quantity * (numeric.get(per_group, 1.0) if per_group else 1.0)
            for code, each in SUBASSEMBLIES.get(part_code, [(part_code, 1)]):
                usage[code] = usage.get(code, 0.0) + DESIGN_UNITS_PER_DAY * p * per_unit * each
    return usage


def _replenishment(part_code: str, per_day: float, lead_days: int) -> dict:
    """Reorder when what is free and on order covers less than the lead time and two days more; buy up to
    four days beyond that. Fasteners and packaging are kept by hand (no reorder point)."""
    if per_day <= 0 or part_code.startswith(("FST", "PKG")):
        return {}
    point = math.ceil(per_day * (lead_days + 2))
    return {"reorder_point": Decimal(point), "order_up_to": Decimal(point + math.ceil(per_day * 4))}
