"""Short, human-friendly identifiers (order, purchase-order and job numbers); primary keys are never shown."""

import secrets

# No 0/O, 1/I/L: a number read over the phone must not be misheard.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_number(prefix: str, length: int = 6) -> str:
    return prefix + "-" + "".join(secrets.choice(ALPHABET) for _ in range(length))


def unique_number(model, prefix: str, field: str = "number") -> str:
    """A fresh number not yet used by any row of `model` (collisions are rare; we just draw again)."""
    while True:
        number = new_number(prefix)
        if not model.objects.filter(**{field: number}).exists():
            return number


def plain(number) -> str:
    """A decimal as a person writes it: no exponent, no trailing zeros (10.000 → "10", 4.50 → "4.5")."""
    if number is None:
        return ""
    return format(number.normalize(), "f")
