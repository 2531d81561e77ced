"""The product picture: an SVG composed of layers chosen by the options' `layer` hints.

A hint is a hex colour (the finish) or a keyword naming a layer (slim, floor, display, wifi, ice, drum-10…).
Each family shape draws the layers it knows; any other keyword still shows as a badge, so a new option
is visible in the picture before anyone draws it.
"""

from html import escape

WIDTH, HEIGHT = 320, 260


def _layers(evaluation) -> tuple[str | None, set[str], list[str]]:
    """(finish colour, layer keywords, names of chosen options whose keyword no shape draws)."""
    colour = None
    keywords: set[str] = set()
    names: dict[str, str] = {}
    for state in evaluation.options.values():
        if not state.chosen or not state.layer:
            continue
        if state.layer.startswith("#"):
            colour = state.layer
        else:
            keywords.add(state.layer)
            names[state.layer] = state.name
    return colour, keywords, names


# Layers a customer cannot see on the product (a label, a gas, a service): no badge for them.
UNSEEN = ("label-", "r32", "r290", "installer", "filter", "spin-", "belt", "direct", "box", "remote", "hinge-right")


def _badges(keywords, drawn: set[str], names: dict[str, str]) -> str:
    extra = sorted(k for k in keywords if k not in drawn and not k.startswith(UNSEEN))
    parts = []
    for index, key in enumerate(extra[:6]):
        x = 8 + (index % 2) * 154
        y = HEIGHT - 42 + (index // 2) * 20
        parts.append(
            f'<g class="layer badge" data-layer="{escape(key)}"><rect x="{x}" y="{y}" width="150" height="17" rx="8" '
            f'fill="#e7eef7"/><text x="{x + 75}" y="{y + 12}" font-size="10" text-anchor="middle" fill="#1d2733">'
            f"{escape(names.get(key, key)[:28])}</text></g>"
        )
    return "".join(parts)


def _air_conditioner(colour, keywords, number):
    panel = colour or "#FAFAFA"
    height = 48 if "slim" in keywords else 62
    parts = []
    if "floor" in keywords:
        parts.append(f'<rect class="layer" data-layer="floor" x="110" y="40" width="100" height="150" rx="10" fill="{panel}" stroke="#888"/>')
        parts.append('<rect x="122" y="160" width="76" height="8" rx="3" fill="#9aa4ae"/>')
        top = 40
    else:
        width = 220 - (20 if "slim" in keywords else 0)
        x = (WIDTH - width) / 2
        parts.append(f'<rect class="layer" data-layer="indoor" x="{x}" y="30" width="{width}" height="{height}" rx="12" fill="{panel}" stroke="#888"/>')
        parts.append(f'<rect x="{x + 14}" y="{30 + height - 14}" width="{width - 28}" height="6" rx="3" fill="#9aa4ae"/>')
        top = 30
    if "display" in keywords:
        parts.append(f'<rect class="layer" data-layer="display" x="205" y="{top + 12}" width="34" height="16" rx="3" fill="#0b6bcb"/>'
                     f'<text x="222" y="{top + 24}" font-size="10" text-anchor="middle" fill="#fff">24°</text>')
    if "wifi" in keywords:
        parts.append(f'<g class="layer" data-layer="wifi" stroke="#0b6bcb" fill="none" stroke-width="2">'
                     f'<path d="M84 {top + 22} a14 14 0 0 1 20 0"/><path d="M88 {top + 26} a8 8 0 0 1 12 0"/></g>')
    if "voice" in keywords:
        parts.append(f'<circle class="layer" data-layer="voice" cx="112" cy="{top + 20}" r="4" fill="#1b7f3b"/>')
    # The outdoor unit grows with the cooling capacity.
    kw = number.get("capacity", 3.5)
    size = 70 + min(40, int(kw * 5))
    parts.append(f'<rect class="layer" data-layer="outdoor" x="{WIDTH - size - 20}" y="{HEIGHT - size - 50}" width="{size}" height="{size * 0.75:.0f}" rx="6" fill="#e4e7ea" stroke="#888"/>'
                 f'<circle cx="{WIDTH - size / 2 - 20}" cy="{HEIGHT - size * 0.62 - 50:.0f}" r="{size * 0.27:.0f}" fill="none" stroke="#9aa4ae" stroke-width="3"/>')
    if "bracket" in keywords:
        parts.append(f'<path class="layer" data-layer="bracket" d="M{WIDTH - size - 24} {HEIGHT - 48} h{size + 8}" stroke="#555" stroke-width="4"/>')
    if "pump" in keywords:
        parts.append('<rect class="layer" data-layer="pump" x="40" y="150" width="26" height="18" rx="3" fill="#9aa4ae"/>')
    # The capacity shows as the outdoor unit's size; a wall unit is the default shape.
    drawn = {"slim", "floor", "display", "wifi", "voice", "bracket", "pump", "wall", "size-s", "size-m", "size-l", "size-xl"}
    return "".join(parts), drawn


def _refrigerator(colour, keywords, number):
    skin = colour or "#F4F5F2"
    height = {"h185": 170, "h203": 190}.get(next((k for k in keywords if k in ("h185", "h203")), ""), 180)
    french = "french" in keywords or "hinge-french" in keywords
    width = 130 if french else 96
    x = (WIDTH - width) / 2
    y = 12
    share = number.get("freezer", 30) / 100
    split = y + height * (1 - share) if not french else y + height * 0.62
    parts = [f'<rect class="layer" data-layer="cabinet" x="{x}" y="{y}" width="{width}" height="{height}" rx="8" fill="{skin}" stroke="#888"/>',
             f'<line x1="{x}" y1="{split:.0f}" x2="{x + width}" y2="{split:.0f}" stroke="#888"/>']
    if french:
        parts.append(f'<line class="layer" data-layer="french" x1="{WIDTH / 2}" y1="{y}" x2="{WIDTH / 2}" y2="{split:.0f}" stroke="#888"/>')
    handle_x = x + width - 10 if "hinge-left" not in keywords else x + 6
    parts.append(f'<rect x="{handle_x}" y="{y + 20}" width="4" height="40" rx="2" fill="#9aa4ae"/>')
    if "ice" in keywords or "water" in keywords:
        layer = "ice" if "ice" in keywords else "water"
        parts.append(f'<rect class="layer" data-layer="{layer}" x="{x + 14}" y="{y + 40}" width="28" height="{44 if layer == "ice" else 30}" rx="4" fill="#d0d6dc" stroke="#888"/>')
    if "wifi" in keywords:
        parts.append(f'<g class="layer" data-layer="wifi" stroke="#0b6bcb" fill="none" stroke-width="2"><path d="M{x + width - 40} {y + 16} a10 10 0 0 1 14 0"/></g>')
    drawn = {"h185", "h203", "french", "hinge-french", "hinge-left", "hinge-right", "ice", "water", "wifi"}
    return "".join(parts), drawn


def _washing_machine(colour, keywords, number):
    front = colour or "#FBFBFB"
    drum = next((k for k in keywords if k.startswith("drum-")), "drum-8")
    radius = 34 + 3 * (int(drum.split("-")[1]) - 8)
    parts = [f'<rect class="layer" data-layer="body" x="80" y="20" width="160" height="180" rx="10" fill="{front}" stroke="#888"/>',
             '<line x1="80" y1="52" x2="240" y2="52" stroke="#888"/>',
             f'<circle class="layer" data-layer="{escape(drum)}" cx="160" cy="126" r="{radius}" fill="#dfe5ea" stroke="#777" stroke-width="6"/>',
             '<circle cx="205" cy="36" r="8" fill="#c8cdd2" stroke="#777"/>']
    if "wifi" in keywords:
        parts.append('<g class="layer" data-layer="wifi" stroke="#0b6bcb" fill="none" stroke-width="2"><path d="M96 38 a10 10 0 0 1 14 0"/></g>')
    if "steam" in keywords:
        parts.append('<path class="layer" data-layer="steam" d="M150 40 q4 -6 0 -12 M160 40 q4 -6 0 -12" stroke="#9aa4ae" fill="none"/>')
    drawn = {drum, "wifi", "steam"}
    return "".join(parts), drawn


SHAPES = {"AC-SPLIT": _air_conditioner, "FRIDGE": _refrigerator, "WASHER": _washing_machine}


def _numbers(evaluation) -> dict:
    """Numeric answers the shapes use, by a short name (capacity in kW from the option code)."""
    numbers = {}
    for state in evaluation.options.values():
        if state.chosen and state.code.startswith("COMP_") and state.code.endswith("KW"):
            numbers["capacity"] = float(state.code[5:-2].replace("_", "."))
    for code, numeric in evaluation.numeric.items():
        if numeric.value is not None and "FREEZER" in code:
            numbers["freezer"] = float(numeric.value)
    return numbers


def product_svg(evaluation, family_name: str) -> str:
    """The SVG picture of the configuration an evaluation describes."""
    colour, keywords, names = _layers(evaluation)
    shape = SHAPES.get(evaluation.family)
    if shape is None:
        body = f'<rect class="layer" data-layer="body" x="90" y="30" width="140" height="150" rx="10" fill="{colour or "#eee"}" stroke="#888"/>'
        drawn: set[str] = set()
    else:
        body, drawn = shape(colour, keywords, _numbers(evaluation))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="product-picture" '
        f'aria-label="{escape(family_name)}">{body}{_badges(keywords, drawn, names)}</svg>'
    )
