"""The demo catalog as plain data: three product families as configurator specs (no Django).

Option codes are stable: bills of materials, routings and saved configurations are keyed on them, so
rename an option's *name* freely but never its code. Each option's ``layer`` is a hint for the product
picture: a hex colour for a finish, otherwise a short keyword for the picture layer to show.

AC-SPLIT — split air conditioner (base 549 EUR)
    CAPACITY (single): COMP_2_6KW*, COMP_3_5KW, COMP_5KW, COMP_7KW
    INDOOR_UNIT (single): IDU_STANDARD*, IDU_SLIM, IDU_FLOOR
    PANEL (single): PANEL_WHITE*, PANEL_SILVER, PANEL_BLACK, PANEL_CHAMPAGNE
    CONTROL (single): CTRL_REMOTE*, CTRL_SMART
    CONNECTIVITY (multi, optional, 0–2): CONN_WIFI, CONN_VOICE
    FILTER (single): FILTER_STD*, FILTER_HEPA, FILTER_ION
    ENERGY_CLASS (single): ENERGY_A2P*, ENERGY_A3P
    REFRIGERANT (single): REF_R32*, REF_R290
    PIPE_LENGTH (numeric, m, 3–25 step 0.5, default 5)
    EXTRAS (multi, optional, 0–4): EXTRA_BRACKET, EXTRA_PUMP, EXTRA_PADS, EXTRA_WINTER, EXTRA_UVC
    INSTALLATION (single): INSTALL_NONE, INSTALL_STANDARD*, INSTALL_EXPRESS
    rules: AC_WIFI_SMART, AC_VOICE_WIFI, AC_7KW_SLIM, AC_R290_7KW, AC_A3P_7KW, AC_FLOOR_FINISH,
    AC_FLOOR_PUMP, AC_HEAVY_MOUNT, AC_UVC_FILTER, AC_WINTER_CAPACITY, AC_R290_INSTALL, AC_R290_PIPE,
    AC_7KW_PIPE, AC_SELF_INSTALL_PIPE, AC_PIPE_METRE (unit price), AC_EXPRESS_7KW and AC_SLIM_FINISH
    (surcharges)

FRIDGE — combi refrigerator (base 699 EUR)
    SIZE (single): FR_SIZE_185*, FR_SIZE_203, FR_SIZE_FRENCH
    DOOR (single): FR_DOOR_RIGHT*, FR_DOOR_LEFT, FR_DOOR_FRENCH
    FINISH (single): FR_FINISH_WHITE*, FR_FINISH_INOX, FR_FINISH_BLACK_GLASS, FR_FINISH_CREAM
    DISPENSER (single, optional): FR_DISP_WATER, FR_DISP_ICE
    FEATURES (multi, optional, 0–3): FR_FEAT_NOFROST, FR_FEAT_ZERO_ZONE, FR_FEAT_WIFI, FR_FEAT_ALARM
    ENERGY_CLASS (single): FR_ENERGY_D*, FR_ENERGY_C, FR_ENERGY_B
    FREEZER_SHARE (numeric, %, 25–45 step 5, default 30)
    rules: FR_FRENCH_SIZE, FR_SIZE_FRENCH_DOOR, FR_ICE_FRENCH, FR_CREAM_FRENCH, FR_B_NOFROST, FR_B_ICE,
    FR_FRENCH_FREEZER, FR_GLASS_FRENCH (surcharge)

WASHER — front-loading washing machine (base 449 EUR)
    DRUM (single): WM_DRUM_8KG*, WM_DRUM_9KG, WM_DRUM_10KG, WM_DRUM_12KG
    SPIN (single): WM_SPIN_1200*, WM_SPIN_1400, WM_SPIN_1600
    MOTOR (single): WM_MOTOR_INVERTER*, WM_MOTOR_DIRECT
    FINISH (single): WM_FINISH_WHITE*, WM_FINISH_SILVER, WM_FINISH_GRAPHITE
    FEATURES (multi, optional, 0–4): WM_FEAT_STEAM, WM_FEAT_AUTODOSE, WM_FEAT_WIFI, WM_FEAT_DRYER
    HOSE_LENGTH (numeric, m, 1.5–4 step 0.5, default 1.5)
    rules: WM_1600_DIRECT, WM_12KG_DIRECT, WM_DRYER_DRUM, WM_AUTODOSE_DRUM, WM_DRYER_HOSE,
    WM_HOSE_METRE (unit price), WM_GRAPHITE_12KG (surcharge)

(* = default option.)
"""

from decimal import Decimal

from orders.configurator.spec import Condition, Family, Group, Option, Rule


def _o(code, name, price="0", *, default=False, layer=""):
    return Option(code, name, Decimal(price), is_default=default, layer=layer)


def air_conditioner() -> Family:
    groups = (
        Group(
            "CAPACITY",
            "Cooling capacity",
            options=(
                _o("COMP_2_6KW", "2.6 kW inverter compressor", default=True, layer="size-s"),
                _o("COMP_3_5KW", "3.5 kW inverter compressor", "120", layer="size-m"),
                _o("COMP_5KW", "5.0 kW inverter compressor", "260", layer="size-l"),
                _o("COMP_7KW", "7.0 kW inverter compressor", "430", layer="size-xl"),
            ),
        ),
        Group(
            "INDOOR_UNIT",
            "Indoor unit",
            options=(
                _o("IDU_STANDARD", "Standard wall unit", default=True, layer="wall"),
                _o("IDU_SLIM", "Slim wall unit (15 cm deep)", "90", layer="slim"),
                _o("IDU_FLOOR", "Floor console", "150", layer="floor"),
            ),
        ),
        Group(
            "PANEL",
            "Front panel",
            options=(
                _o("PANEL_WHITE", "Arctic white", default=True, layer="#F4F5F2"),
                _o("PANEL_SILVER", "Brushed silver", "25", layer="#BFC3C7"),
                _o("PANEL_BLACK", "Graphite black", "45", layer="#1F2023"),
                _o("PANEL_CHAMPAGNE", "Champagne gold", "45", layer="#D9C7A1"),
            ),
        ),
        Group(
            "CONTROL",
            "Control",
            options=(
                _o("CTRL_REMOTE", "Infrared remote control", default=True, layer="remote"),
                _o("CTRL_SMART", "Smart touch panel", "79", layer="display"),
            ),
        ),
        Group(
            "CONNECTIVITY",
            "Connectivity",
            kind="multi",
            required=False,
            max_count=2,
            options=(
                _o("CONN_WIFI", "Wi-Fi module", "39", layer="wifi"),
                _o("CONN_VOICE", "Voice assistant", "29", layer="voice"),
            ),
        ),
        Group(
            "FILTER",
            "Air filter",
            options=(
                _o("FILTER_STD", "Washable mesh filter", default=True, layer="filter"),
                _o("FILTER_HEPA", "HEPA filter", "49", layer="filter-hepa"),
                _o("FILTER_ION", "HEPA filter with ionizer", "79", layer="filter-ion"),
            ),
        ),
        Group(
            "ENERGY_CLASS",
            "Energy class",
            options=(
                _o("ENERGY_A2P", "A++ (SEER 6.1)", default=True, layer="label-a2p"),
                _o("ENERGY_A3P", "A+++ (SEER 8.5)", "140", layer="label-a3p"),
            ),
        ),
        Group(
            "REFRIGERANT",
            "Refrigerant",
            options=(
                _o("REF_R32", "R32", default=True, layer="r32"),
                _o("REF_R290", "R290 natural refrigerant", "60", layer="r290"),
            ),
        ),
        Group(
            "PIPE_LENGTH",
            "Pipe and cable length",
            kind="numeric",
            minimum=Decimal("3"),
            maximum=Decimal("25"),
            step=Decimal("0.5"),
            unit="m",
            default=Decimal("5"),
        ),
        Group(
            "EXTRAS",
            "Accessories",
            kind="multi",
            required=False,
            max_count=4,
            options=(
                _o("EXTRA_BRACKET", "Outdoor wall bracket", "35", layer="bracket"),
                _o("EXTRA_PUMP", "Condensate pump", "65", layer="pump"),
                _o("EXTRA_PADS", "Anti-vibration pads", "15", layer="pads"),
                _o("EXTRA_WINTER", "Low-ambient winter kit", "110", layer="winter"),
                _o("EXTRA_UVC", "UV-C sterilizer lamp", "59", layer="uvc"),
            ),
        ),
        Group(
            "INSTALLATION",
            "Installation",
            options=(
                _o("INSTALL_NONE", "No installation (pre-charged line set)", layer="box"),
                _o("INSTALL_STANDARD", "Standard installation", "199", default=True, layer="installer"),
                _o("INSTALL_EXPRESS", "Express installation within 48 h", "299", layer="installer-express"),
            ),
        ),
    )
    rules = (
        Rule("AC_WIFI_SMART", "requires", Condition(all=("CONN_WIFI",)), ("CTRL_SMART",),
             message="The Wi-Fi module needs the smart touch panel."),
        Rule("AC_VOICE_WIFI", "requires", Condition(all=("CONN_VOICE",)), ("CONN_WIFI",),
             message="The voice assistant works through the Wi-Fi module."),
        Rule("AC_7KW_SLIM", "excludes", Condition(all=("COMP_7KW",)), ("IDU_SLIM",),
             message="The 7.0 kW compressor does not fit the slim indoor unit."),
        Rule("AC_R290_7KW", "excludes", Condition(all=("REF_R290",)), ("COMP_7KW",),
             message="R290 models go up to 5.0 kW."),
        Rule("AC_A3P_7KW", "excludes", Condition(all=("ENERGY_A3P",)), ("COMP_7KW",),
             message="A+++ efficiency is available up to 5.0 kW."),
        Rule("AC_FLOOR_FINISH", "excludes", Condition(all=("IDU_FLOOR",)), ("PANEL_BLACK", "PANEL_CHAMPAGNE"),
             message="The floor console comes in white or silver only."),
        Rule("AC_FLOOR_PUMP", "excludes", Condition(all=("IDU_FLOOR",)), ("EXTRA_PUMP",),
             message="A floor console drains by gravity and needs no condensate pump."),
        Rule("AC_HEAVY_MOUNT", "requires", Condition(any=("COMP_5KW", "COMP_7KW")), ("EXTRA_BRACKET", "EXTRA_PADS"),
             message="Outdoor units of 5.0 kW and more need the wall bracket or anti-vibration pads."),
        Rule("AC_UVC_FILTER", "requires", Condition(all=("EXTRA_UVC",)), ("FILTER_HEPA", "FILTER_ION"),
             message="The UV-C lamp sits behind a HEPA filter."),
        Rule("AC_WINTER_CAPACITY", "requires", Condition(all=("EXTRA_WINTER",)), ("COMP_3_5KW", "COMP_5KW", "COMP_7KW"),
             message="The winter kit needs a 3.5 kW or larger compressor."),
        Rule("AC_R290_INSTALL", "excludes", Condition(all=("REF_R290",)), ("INSTALL_NONE",),
             message="R290 units must be installed by a certified technician."),
        Rule("AC_R290_PIPE", "range", Condition(all=("REF_R290",)), group="PIPE_LENGTH", maximum=Decimal("10"),
             message="With R290 refrigerant the pipe run is at most 10 m."),
        Rule("AC_7KW_PIPE", "range", Condition(all=("COMP_7KW",)), group="PIPE_LENGTH", minimum=Decimal("5"),
             message="The 7.0 kW unit needs at least 5 m of pipe."),
        Rule("AC_SELF_INSTALL_PIPE", "range", Condition(none=("INSTALL_STANDARD", "INSTALL_EXPRESS")), group="PIPE_LENGTH",
             maximum=Decimal("5"), message="Without our installation the pre-charged line set is at most 5 m."),
        Rule("AC_PIPE_METRE", "unit_price", group="PIPE_LENGTH", amount=Decimal("12"),
             message="Pipe and cable set, per metre"),
        Rule("AC_EXPRESS_7KW", "surcharge", Condition(all=("INSTALL_EXPRESS", "COMP_7KW")), amount=Decimal("80"),
             message="Second technician for an express 7.0 kW installation"),
        Rule("AC_SLIM_FINISH", "surcharge", Condition(all=("IDU_SLIM",), any=("PANEL_BLACK", "PANEL_CHAMPAGNE")),
             amount=Decimal("30"), message="Designer finish on the slim unit"),
    )
    return Family("AC-SPLIT", "Split air conditioner", Decimal("549"), "EUR", groups, rules)


def refrigerator() -> Family:
    groups = (
        Group(
            "SIZE",
            "Size",
            options=(
                _o("FR_SIZE_185", "185 cm, 300 l", default=True, layer="h185"),
                _o("FR_SIZE_203", "203 cm, 360 l", "120", layer="h203"),
                _o("FR_SIZE_FRENCH", "French door, 91 cm wide, 540 l", "650", layer="french"),
            ),
        ),
        Group(
            "DOOR",
            "Door hinge",
            options=(
                _o("FR_DOOR_RIGHT", "Hinged right", default=True, layer="hinge-right"),
                _o("FR_DOOR_LEFT", "Hinged left", layer="hinge-left"),
                _o("FR_DOOR_FRENCH", "French doors", layer="hinge-french"),
            ),
        ),
        Group(
            "FINISH",
            "Finish",
            options=(
                _o("FR_FINISH_WHITE", "White", default=True, layer="#FAFAFA"),
                _o("FR_FINISH_INOX", "Stainless steel", "80", layer="#B7BBBF"),
                _o("FR_FINISH_BLACK_GLASS", "Black glass", "150", layer="#141517"),
                _o("FR_FINISH_CREAM", "Retro cream", "120", layer="#EFE2C4"),
            ),
        ),
        Group(
            "DISPENSER",
            "Dispenser",
            required=False,
            options=(
                _o("FR_DISP_WATER", "Water dispenser", "90", layer="water"),
                _o("FR_DISP_ICE", "Ice and water dispenser", "190", layer="ice"),
            ),
        ),
        Group(
            "FEATURES",
            "Features",
            kind="multi",
            required=False,
            max_count=3,
            options=(
                _o("FR_FEAT_NOFROST", "Total no-frost", "60", layer="nofrost"),
                _o("FR_FEAT_ZERO_ZONE", "0 °C fresh zone", "70", layer="zero"),
                _o("FR_FEAT_WIFI", "Wi-Fi and app", "40", layer="wifi"),
                _o("FR_FEAT_ALARM", "Door-open alarm", "10", layer="alarm"),
            ),
        ),
        Group(
            "ENERGY_CLASS",
            "Energy class",
            options=(
                _o("FR_ENERGY_D", "D", default=True, layer="label-d"),
                _o("FR_ENERGY_C", "C", "90", layer="label-c"),
                _o("FR_ENERGY_B", "B", "180", layer="label-b"),
            ),
        ),
        Group(
            "FREEZER_SHARE",
            "Freezer share of the volume",
            kind="numeric",
            minimum=Decimal("25"),
            maximum=Decimal("45"),
            step=Decimal("5"),
            unit="%",
            default=Decimal("30"),
        ),
    )
    rules = (
        Rule("FR_FRENCH_SIZE", "requires", Condition(all=("FR_DOOR_FRENCH",)), ("FR_SIZE_FRENCH",),
             message="French doors come only on the 91 cm model."),
        Rule("FR_SIZE_FRENCH_DOOR", "requires", Condition(all=("FR_SIZE_FRENCH",)), ("FR_DOOR_FRENCH",),
             message="The 91 cm model has French doors."),
        Rule("FR_ICE_FRENCH", "requires", Condition(all=("FR_DISP_ICE",)), ("FR_SIZE_FRENCH",),
             message="The ice maker needs the French door model."),
        Rule("FR_CREAM_FRENCH", "excludes", Condition(all=("FR_FINISH_CREAM",)), ("FR_SIZE_FRENCH",),
             message="Retro cream is made for the single-door models."),
        Rule("FR_B_NOFROST", "requires", Condition(all=("FR_ENERGY_B",)), ("FR_FEAT_NOFROST",),
             message="Class B uses the no-frost inverter system."),
        Rule("FR_B_ICE", "excludes", Condition(all=("FR_ENERGY_B",)), ("FR_DISP_ICE",),
             message="Class B is not available with an ice maker."),
        Rule("FR_FRENCH_FREEZER", "range", Condition(all=("FR_SIZE_FRENCH",)), group="FREEZER_SHARE",
             minimum=Decimal("35"), message="The French door model has a freezer share of at least 35 %."),
        Rule("FR_GLASS_FRENCH", "surcharge", Condition(all=("FR_FINISH_BLACK_GLASS", "FR_SIZE_FRENCH")),
             amount=Decimal("100"), message="Black glass on four large doors"),
    )
    return Family("FRIDGE", "Combi refrigerator", Decimal("699"), "EUR", groups, rules)


def washing_machine() -> Family:
    groups = (
        Group(
            "DRUM",
            "Drum capacity",
            options=(
                _o("WM_DRUM_8KG", "8 kg", default=True, layer="drum-8"),
                _o("WM_DRUM_9KG", "9 kg", "60", layer="drum-9"),
                _o("WM_DRUM_10KG", "10 kg", "120", layer="drum-10"),
                _o("WM_DRUM_12KG", "12 kg", "220", layer="drum-12"),
            ),
        ),
        Group(
            "SPIN",
            "Spin speed",
            options=(
                _o("WM_SPIN_1200", "1200 rpm", default=True, layer="spin-1200"),
                _o("WM_SPIN_1400", "1400 rpm", "50", layer="spin-1400"),
                _o("WM_SPIN_1600", "1600 rpm", "110", layer="spin-1600"),
            ),
        ),
        Group(
            "MOTOR",
            "Motor",
            options=(
                _o("WM_MOTOR_INVERTER", "Inverter belt drive", default=True, layer="belt"),
                _o("WM_MOTOR_DIRECT", "Direct drive", "90", layer="direct"),
            ),
        ),
        Group(
            "FINISH",
            "Finish",
            options=(
                _o("WM_FINISH_WHITE", "White", default=True, layer="#FBFBFB"),
                _o("WM_FINISH_SILVER", "Silver", "30", layer="#C3C6C9"),
                _o("WM_FINISH_GRAPHITE", "Graphite", "40", layer="#3A3C40"),
            ),
        ),
        Group(
            "FEATURES",
            "Features",
            kind="multi",
            required=False,
            max_count=4,
            options=(
                _o("WM_FEAT_STEAM", "Steam refresh", "50", layer="steam"),
                _o("WM_FEAT_AUTODOSE", "Automatic dosing", "80", layer="autodose"),
                _o("WM_FEAT_WIFI", "Wi-Fi and app", "30", layer="wifi"),
                _o("WM_FEAT_DRYER", "Heat-pump dryer (washer-dryer)", "350", layer="dryer"),
            ),
        ),
        Group(
            "HOSE_LENGTH",
            "Inlet hose length",
            kind="numeric",
            minimum=Decimal("1.5"),
            maximum=Decimal("4"),
            step=Decimal("0.5"),
            unit="m",
            default=Decimal("1.5"),
        ),
    )
    rules = (
        Rule("WM_1600_DIRECT", "requires", Condition(all=("WM_SPIN_1600",)), ("WM_MOTOR_DIRECT",),
             message="1600 rpm needs the direct-drive motor."),
        Rule("WM_12KG_DIRECT", "requires", Condition(all=("WM_DRUM_12KG",)), ("WM_MOTOR_DIRECT",),
             message="The 12 kg drum needs the direct-drive motor."),
        Rule("WM_DRYER_DRUM", "excludes", Condition(all=("WM_FEAT_DRYER",)), ("WM_DRUM_8KG",),
             message="The washer-dryer starts at 9 kg."),
        Rule("WM_AUTODOSE_DRUM", "excludes", Condition(all=("WM_FEAT_AUTODOSE",)), ("WM_DRUM_8KG",),
             message="Automatic dosing needs the deeper door of the 9 kg and larger drums."),
        Rule("WM_DRYER_HOSE", "range", Condition(all=("WM_FEAT_DRYER",)), group="HOSE_LENGTH", maximum=Decimal("3"),
             message="With the dryer the inlet hose is at most 3 m."),
        Rule("WM_HOSE_METRE", "unit_price", group="HOSE_LENGTH", amount=Decimal("6"),
             message="Inlet hose, per metre"),
        Rule("WM_GRAPHITE_12KG", "surcharge", Condition(all=("WM_FINISH_GRAPHITE", "WM_DRUM_12KG")),
             amount=Decimal("25"), message="Graphite finish on the large cabinet"),
    )
    return Family("WASHER", "Front-loading washing machine", Decimal("449"), "EUR", groups, rules)


DESCRIPTIONS = {
    "AC-SPLIT": "A wall or floor split air conditioner from 2.6 to 7.0 kW, made to order: panel, control, "
    "filters, refrigerant, pipe run and installation.",
    "FRIDGE": "A combi refrigerator in three sizes with your finish, dispenser and features.",
    "WASHER": "A front-loading washing machine from 8 to 12 kg, with an optional heat-pump dryer.",
}


def demo_families() -> list[Family]:
    """The three demo families: the split air conditioner, the refrigerator, the washing machine."""
    return [air_conditioner(), refrigerator(), washing_machine()]


def demo_families_with_descriptions() -> list[tuple[Family, str]]:
    """The demo families with a one-sentence description each, for the catalog page."""
    return [(family, DESCRIPTIONS[family.code]) for family in demo_families()]
