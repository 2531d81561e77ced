"""Demo data for `make run` and the tests: three interconnected factories (Qingdao makes everything, its
flexible line any family; Hefei air conditioners; Brugherio, near Milan, fridges and washers), three
consumer regions with the shipping lanes from each factory, the demo catalog with BOMs (one sub-assembly)
and routings, suppliers next to each factory with offers (all but one on autopilot), stock in each factory,
and a user of each role. `demo_seed(network=False)` loads Qingdao alone (the suite's one-factory world)."""

import math
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from cosmo.models import User
from orders import demo_catalog
from orders.catalog import family_load
from orders.models import ProductFamily, Region
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
    RoutingPolicy,
    RoutingStep,
    SetupGroup,
    Shift,
    TariffBand,
    ShippingLane,
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
_FRIDGE_AND_WASHER_METAL = "CAB DOOR PNL DSP FAN DRUM TUB STEAM DOSE HEAT HOSE FST PKG".split()
# code, name, autopilot, {part code prefix: (price factor, lead time in days, minimum quantity)}, the factory
# it sits next to (its lead times hold there; elsewhere COSMO_FAR_SUPPLIER_DAYS more; None: near every one)
SUPPLIERS = [
    # QCW is next door to Qingdao: cheapest and quickest. GCC, far south, is the second source.
    ("QCW", "Qingdao Compressor Works", False, {"CMP": (1.00, 3, 1), "MOT": (1.05, 4, 1)}, "QD1"),
    ("GCC", "Guangdong Compressor Co.", True, {"CMP": (1.12, 5, 1), "MOT": (1.10, 6, 1)}, None),
    ("HEL", "Haiyang Electronics", True, {"PCB": (1.00, 3, 5), "WIFI": (1.00, 3, 10), "RMT": (1.00, 3, 10)}, "QD1"),
    ("SMP", "Shandong Metal & Plastics", True, {prefix: (1.00, 2, 1) for prefix in _METAL_AND_PLASTICS}, "QD1"),
    # Beside Hefei: compressors and boards for its air conditioners.
    ("AHC", "Anhui Cooling Components", True, {"CMP": (1.06, 3, 1), "PCB": (1.04, 3, 5), "HSG": (1.05, 2, 1)}, "HF1"),
    # Beside Brugherio: compressors and motors, and the metal and plastics of fridges and washers.
    ("LOM", "Lombardia Componenti", True, {"CMP": (1.25, 3, 1), "MOT": (1.20, 3, 1), "PCB": (1.15, 3, 5)}, "EU1"),
    ("BMP", "Brianza Metalli e Plastiche", True,
     {prefix: (1.18, 2, 1) for prefix in _FRIDGE_AND_WASHER_METAL + ["WIFI"]}, "EU1"),
]
# How each supplier on autopilot behaves (seeded: a run repeats exactly). QCW has none: a person answers.
AUTOPILOT = {
    "GCC": {"seed": 37, "confirm_after_hours": 6, "reject_rate": "0.10", "late_rate": "0.10", "late_days": 2},
    "HEL": {"seed": 11, "confirm_after_hours": 3, "reject_rate": "0", "late_rate": "0.15", "late_days": 1},
    "SMP": {"seed": 23, "confirm_after_hours": 2, "reject_rate": "0", "late_rate": "0.10", "late_days": 1},
    "AHC": {"seed": 41, "confirm_after_hours": 4, "reject_rate": "0.05", "late_rate": "0.10", "late_days": 1},
    "LOM": {"seed": 53, "confirm_after_hours": 5, "reject_rate": "0", "late_rate": "0.05", "late_days": 1},
    "BMP": {"seed": 59, "confirm_after_hours": 3, "reject_rate": "0", "late_rate": "0.10", "late_days": 1},
}
# code, name, time zone, energy price per kWh (EUR), lines: (code, name, {family code prefix: speed}).
# Qingdao's flexible line makes every family; Hefei is the air-conditioner specialist; Brugherio makes
# fridges and washers for Europe.
FACTORIES = [
    ("QD1", "Qingdao Interconnected Factory", "Asia/Shanghai", "0.09", [
        ("L1", "Line 1 · Cooling", {"AC": "1.2"}),
        ("L2", "Line 2 · Flexible", {"": "1.0"}),
        ("L3", "Line 3 · Laundry", {"FRIDGE": "1.1", "WASHER": "1.1"}),
    ]),
    ("HF1", "Hefei Air Conditioner Factory", "Asia/Shanghai", "0.08", [
        ("L1", "Line 1 · Split units", {"AC": "1.3"}),
        ("L2", "Line 2 · Split units", {"AC": "1.1"}),
    ]),
    ("EU1", "Brugherio Appliance Factory", "Europe/Rome", "0.21", [
        ("L1", "Line 1 · Refrigerators", {"FRIDGE": "1.0"}),
        ("L2", "Line 2 · Laundry", {"WASHER": "1.0"}),
    ]),
]
# Consumer regions: code, name; the first is the default. Lanes: (factory, region) → (days, EUR per unit).
REGIONS = [("CN-N", "North China"), ("CN-E", "East and South China"), ("EU", "Europe")]
LANES = {
    ("QD1", "CN-N"): (2, "6"), ("QD1", "CN-E"): (3, "9"), ("QD1", "EU"): (30, "38"),
    ("HF1", "CN-N"): (3, "9"), ("HF1", "CN-E"): (2, "6"), ("HF1", "EU"): (30, "40"),
    ("EU1", "CN-N"): (30, "42"), ("EU1", "CN-E"): (30, "42"), ("EU1", "EU"): (3, "8"),
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
def demo_seed(*, network: bool = True) -> None:
    """Load the whole demo world. Run it on an empty database (see `seed_demo --if-empty`). Without
    `network`, Qingdao alone, with its suppliers (the lanes and regions all the same)."""
    seeded = [f for f in FACTORIES if network or f[0] == "QD1"]
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
    for assembly, components in SUBASSEMBLIES.items():
        for component, quantity in components:
            PartComponent.objects.create(
                assembly=parts[assembly], component=parts[component], quantity=Decimal(str(quantity))
            )
    for family_code, group_code in SETUP_GROUPS.items():
        SetupGroup.objects.create(family=families[family_code], group_code=group_code)
    regions = {
        code: Region.objects.create(code=code, name=name, position=n, is_default=n == 0)
        for n, (code, name) in enumerate(REGIONS)
    }
    RoutingPolicy.objects.create()
    seeded_codes = {code for code, *_ in seeded}
    suppliers_seeded = [s for s in SUPPLIERS if s[4] is None or s[4] in seeded_codes]
    usage = _daily_usage()
    factories = {}
    for code, name, time_zone, energy_price, line_specs in seeded:
        factory = factories[code] = Factory.objects.create(
            code=code, name=name, timezone=time_zone, energy_price=Decimal(energy_price)
        )
        lines = [Line.objects.create(factory=factory, code=lc, name=ln) for lc, ln, _ in line_specs]
        made = set()
        for line, (_, _, speeds) in zip(lines, line_specs):
            for family_code, family in families.items():
                prefix = next((p for p in speeds if family_code.startswith(p)), None)
                if prefix is not None:
                    made.add(family_code)
                    LineCapability.objects.create(line=line, family=family, speed=Decimal(speeds[prefix]))
        _calendar_and_setups(factory, lines)
        for (lane_factory, region_code), (days, cost) in LANES.items():
            if lane_factory == code:
                ShippingLane.objects.create(factory=factory, region=regions[region_code], days=days,
                                            cost_per_unit=Decimal(cost))
        # Qingdao starts with a few of each part (replenishment fills its shelves, the demo shows buying);
        # the others run full shelves of what their families use.
        used = _parts_used(made)
        far = settings.COSMO_FAR_SUPPLIER_DAYS
        lead = {c: min(terms[p][1] + (0 if near in (None, code) else far)
                       for _, _, _, terms, near in suppliers_seeded for p in terms if c.split("-")[0] == p)
                for c in used}  # fmt: skip
        stock = []
        for part_code in sorted(used):
            levels = _replenishment(part_code, usage.get(part_code, 0.0), lead[part_code])
            on_hand = _initial_stock(part_code) if code == "QD1" else levels.get("order_up_to", 500)
            stock.append(Stock(factory=factory, part=parts[part_code], on_hand=Decimal(on_hand), **levels))
        Stock.objects.bulk_create(stock)

    suppliers = {}
    for code, name, autopilot, terms, near in suppliers_seeded:
        suppliers[code] = Supplier.objects.create(code=code, name=name, autopilot=autopilot, near=factories.get(near))
        if code in AUTOPILOT:
            profile = {k: Decimal(v) if isinstance(v, str) else v for k, v in AUTOPILOT[code].items()}
            AutopilotProfile.objects.create(supplier=suppliers[code], **profile)
    for part_code, _, _, price in PARTS:
        for supplier_code, _, _, terms, _ in suppliers_seeded:
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


def _parts_used(family_codes) -> set[str]:
    """The bought parts the families' BOMs can take (sub-assemblies exploded)."""
    used = set()
    for family_code in family_codes:
        for part_code, *_ in BOMS[family_code]:
            used.update(c for c, _ in SUBASSEMBLIES.get(part_code, [(part_code, 1)]))
    return used


# Shifts per line, factory-local: (weekdays, start, end). In Qingdao line 1 runs round the clock six days
# a week, the flexible line two shifts on weekdays and a Saturday morning, the laundry line two shifts.
# Hefei runs two shifts six days; Brugherio two shifts on weekdays.
_TWO_SHIFTS_SIX_DAYS = [(range(6), "07:00", "15:00"), (range(6), "15:00", "23:00")]
_TWO_SHIFTS_WEEKDAYS = [(range(5), "06:00", "14:00"), (range(5), "14:00", "22:00")]
SHIFTS = {
    "QD1/L1": [(range(6), "06:00", "14:00"), (range(6), "14:00", "22:00"), (range(6), "22:00", "06:00")],
    "QD1/L2": [(range(5), "06:00", "14:00"), (range(5), "14:00", "22:00"), ([5], "06:00", "14:00")],
    "QD1/L3": _TWO_SHIFTS_SIX_DAYS,
    "HF1/L1": _TWO_SHIFTS_SIX_DAYS,
    "HF1/L2": _TWO_SHIFTS_SIX_DAYS,
    "EU1/L1": _TWO_SHIFTS_WEEKDAYS,
    "EU1/L2": _TWO_SHIFTS_WEEKDAYS,
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
    "QD1/L1": dict(spread_cv=0.08, mtbf_minutes=2400, mttr_minutes=45, power=(55, 30, 12, 4), restart_minutes=30,
               scrap_rate=0.02, minor_stops_per_hour=1.5, minor_stop_minutes=2),
    "QD1/L2": dict(spread_cv=0.12, mtbf_minutes=1800, mttr_minutes=60, power=(48, 28, 10, 4), restart_minutes=20,
               scrap_rate=0.03, minor_stops_per_hour=2.0, minor_stop_minutes=3),
    "QD1/L3": dict(spread_cv=0.10, mtbf_minutes=3000, mttr_minutes=40, power=(40, 22, 9, 3), restart_minutes=20,
                   scrap_rate=0.015, minor_stops_per_hour=1.0, minor_stop_minutes=2),
    "HF1/L1": dict(spread_cv=0.07, mtbf_minutes=2600, mttr_minutes=40, power=(50, 28, 11, 4), restart_minutes=25,
                   scrap_rate=0.015, minor_stops_per_hour=1.2, minor_stop_minutes=2),
    "HF1/L2": dict(spread_cv=0.09, mtbf_minutes=2200, mttr_minutes=50, power=(52, 28, 11, 4), restart_minutes=25,
                   scrap_rate=0.02, minor_stops_per_hour=1.5, minor_stop_minutes=2),
    "EU1/L1": dict(spread_cv=0.08, mtbf_minutes=3200, mttr_minutes=45, power=(42, 24, 9, 3), restart_minutes=20,
                   scrap_rate=0.012, minor_stops_per_hour=0.8, minor_stop_minutes=2),
    "EU1/L2": dict(spread_cv=0.08, mtbf_minutes=3200, mttr_minutes=40, power=(38, 20, 8, 3), restart_minutes=20,
                   scrap_rate=0.012, minor_stops_per_hour=0.8, minor_stop_minutes=2),
}
# Operators per line and shift (every shift of the line).
CREWS = {"QD1/L1": 6, "QD1/L2": 8, "QD1/L3": 5, "HF1/L1": 6, "HF1/L2": 6, "EU1/L1": 5, "EU1/L2": 5}


# The factory's time-of-day electricity tariff (factory time, price per kWh): cheap at night, dear in the
# evening peak. The hours between 21:00 and 22:00 cost the day price.
TARIFF = [
    ("night", "22:00", "06:00", "0.09"),
    ("day", "06:00", "17:00", "0.15"),
    ("peak", "17:00", "21:00", "0.24"),
    ("day", "21:00", "22:00", "0.15"),
]


def _key(line) -> str:
    return f"{line.factory.code}/{line.code}"


def line_simulation_seed(line) -> None:
    values = dict(LINE_SIMULATION[_key(line)])
    running, changeover, idle, down = values.pop("power")
    LineSimulation.objects.create(
        line=line,
        power_running_kw=running,
        power_changeover_kw=changeover,
        power_idle_kw=idle,
        power_down_kw=down,
        **values,
    )


def _calendar_and_setups(factory, lines) -> None:
    for line in lines:
        line_simulation_seed(line)
        Crew.objects.create(line=line, operators=CREWS[_key(line)])
        Shift.objects.bulk_create(
            Shift(line=line, weekday=weekday, start=start, end=end)
            for weekdays, start, end in SHIFTS[_key(line)] for weekday in weekdays
        )
    for name, start, end, price in TARIFF:
        TariffBand.objects.create(factory=factory, name=name, start=start, end=end, price_kwh=Decimal(price))
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
