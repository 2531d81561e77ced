"""Input Cosmo refuses before it does any work: control characters (PostgreSQL cannot store a NUL), JSON
nested deeper than a limit, numbers that are not finite or are absurdly large, over-long strings.

Two gates use the same checks. `HostileInputMiddleware` looks at every request's path, query string and
form fields; `JSONParser` (the API's parser) walks what it parsed, refusing a container nested too deep or
holding too many items before it looks inside. Both answer 400 naming the field and the reason, in the README's error format (JSON on
`/api/`, a page elsewhere). The limits are settings (`COSMO_INPUT_*`); the business limits of an order
(lines, quantity, address) live with the order.
"""

import json
import math
import re

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

# C0 and C1 control characters, DEL, and lone surrogates (JSON can spell them; no text encoding can).
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
CONTROL_IN_TEXT = re.compile(f"[{_CONTROL}]")  # tab, newline and carriage return are fine in text
CONTROL_IN_LINE = re.compile(f"[{_CONTROL}\t\n\r]")  # a path or a query parameter is one line


class InputRefused(Exception):
    """Input that Cosmo will not look at: the field (a path like `lines[0].quantity`) and the reason."""

    def __init__(self, field: str | None, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def text_problem(value: str, *, one_line: bool = False, max_length: int | None = None) -> str | None:
    """Why this text is refused, or None when it is fine."""
    limit = settings.COSMO_INPUT_MAX_STRING if max_length is None else max_length
    if len(value) > limit:
        return _("Keep it under %(limit)s characters (this is %(length)s).") % {"limit": limit, "length": len(value)}
    found = (CONTROL_IN_LINE if one_line else CONTROL_IN_TEXT).search(value)
    if found:
        return _("It contains a control character (U+%(code)04X), which Cosmo does not accept.") % {
            "code": ord(found.group())
        }
    return None


def number_problem(value) -> str | None:
    """Why this number is refused (not finite, or beyond the largest Cosmo accepts), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return _("Enter a finite number.")
    limit = settings.COSMO_INPUT_MAX_NUMBER
    if abs(value) > limit:
        return _("Enter a number between -%(limit)s and %(limit)s.") % {"limit": f"{limit:,}"}
    return None


def data_check(data, field: str = "") -> None:
    """Walk parsed JSON and raise InputRefused at the first container nested too deep or holding too many
    items (refused before its items are looked at), or string, key or number Cosmo refuses."""
    max_depth, max_items = settings.COSMO_INPUT_MAX_DEPTH, settings.COSMO_INPUT_MAX_ITEMS
    stack = [(field, data, 1)]
    while stack:
        path, value, depth = stack.pop()
        problem = None
        if isinstance(value, str):
            problem = text_problem(value)
        elif isinstance(value, (int, float)):
            problem = number_problem(value)
        elif isinstance(value, (dict, list)):
            if depth > max_depth:
                problem = _("The JSON nests deeper than %(limit)s levels.") % {"limit": max_depth}
            elif len(value) > max_items:
                problem = _("At most %(limit)s items here (this has %(count)s).") % {
                    "limit": max_items,
                    "count": len(value),
                }
            elif isinstance(value, dict):
                for key, item in value.items():
                    key_problem = text_problem(key, one_line=True, max_length=settings.COSMO_INPUT_MAX_KEY)
                    if key_problem:
                        raise InputRefused(path or None, _("A key is refused: %(reason)s") % {"reason": key_problem})
                    stack.append((f"{path}.{key}" if path else key, item, depth + 1))
            else:
                stack.extend((f"{path}[{index}]", item, depth + 1) for index, item in enumerate(value))
        if problem:
            raise InputRefused(path or None, problem)


def _refuse_constant(name: str):
    raise InputRefused(None, _("%(name)s is not a number Cosmo accepts; enter a finite number.") % {"name": name})


def json_load(text: str):
    """Parse JSON text that may be hostile and check everything in it (see `data_check`).

    Raises InputRefused for what Cosmo refuses and ValueError for what is not JSON. JSON nested deeper
    than Python's recursion allows stops the parser itself (the C scanner raises RecursionError at about a
    thousand levels, before anything more is built); the walk refuses what nests deeper than
    COSMO_INPUT_MAX_DEPTH.
    """
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise InputRefused(
            None, _("The JSON nests deeper than %(limit)s levels.") % {"limit": settings.COSMO_INPUT_MAX_DEPTH}
        ) from None
    data_check(data)
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser behind the hostile-input checks; what is refused is a 400 naming the field."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
            return json_load(text)
        except InputRefused as refused:
            raise ValidationError({refused.field or "body": [refused.reason]})
        except ValueError as error:
            raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": error})


def request_check(request) -> None:
    """Raise InputRefused at the first part of a request Cosmo refuses: its path, a query parameter, a form
    field (names and values)."""
    problem = text_problem(request.path_info, one_line=True)
    if problem:
        raise InputRefused("path", problem)
    sources = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            problem = text_problem(key, one_line=True, max_length=settings.COSMO_INPUT_MAX_KEY)
            if problem:
                raise InputRefused(None, _("A field name is refused: %(reason)s") % {"reason": problem})
            for value in values:
                problem = text_problem(value, one_line=source is request.GET)
                if problem:
                    raise InputRefused(key, problem)


def refusal_response(request, refused: InputRefused):
    """The 400 answer: the README's JSON error format on the API, a page naming the field elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"errors": [{"field": refused.field, "reason": refused.reason}]}, status=400)
    context = {"field": refused.field, "reason": refused.reason}
    if request.headers.get("HX-Request") == "true":
        # An htmx action answers beside its row: the reason alone, marked so that cosmo.js shows it.
        response = render(request, "refused_fragment.html", context, status=400)
        response["X-Cosmo-Refusal"] = "1"
        return response
    return render(request, "refused.html", context, status=400)


class HostileInputMiddleware:
    """Refuse a request whose path, query string or form fields Cosmo will not look at, before any view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request_check(request)
        except InputRefused as refused:
            return refusal_response(request, refused)
        return self.get_response(request)
