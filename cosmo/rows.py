"""Insert a row and the rows that hang from it in one round trip to the database.

Django saves each row with a statement of its own, in a transaction of its own: a new order with its key,
lines, timeline entry and audit record was seven round trips to PostgreSQL, most of an order POST's wait
and a good part of its CPU. `rows_insert` writes each group's INSERT as Django's compiler does (the same
columns, defaults and conversions as `save` and `bulk_create`) and sends them as one query on PostgreSQL,
which runs a query of several statements as one transaction: all of them or none. Elsewhere (SQLite)
the same statements run one after the other in a transaction.

The first row's id is not known before the query runs: the rows after it refer to it with `row_id`, a
subquery on one of its unique fields (a unique index lookup), and get the id once it is known.
"""

from contextlib import nullcontext

from django.db import connections, router, transaction
from django.db.models import Model
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery


def row_id(model: type[Model], *, as_text: bool = False, **unique):
    """The id of the row of `model` with this unique value (`field=value`), as a value to insert (text with
    `as_text`). Written in SQL: compiling it through the ORM cost more than the rest of the insert."""
    [(name, value)] = unique.items()
    opts = model._meta
    quote = connections[router.db_for_write(model)].ops.quote_name
    column = quote(opts.pk.column)
    found = f"SELECT {column} FROM {quote(opts.db_table)} WHERE {quote(opts.get_field(name).column)} = %s"
    return RawSQL(f"(SELECT CAST(({found}) AS VARCHAR))" if as_text else f"({found})", [value])


# (model, whether the rows carry their id, database) → the fields written and the statement's start, or
# None where a field needs Django's compiler for its placeholder; per process.
_statements: dict[tuple, tuple[list, str] | None] = {}


def _insert_sql(rows: list[Model], using: str, *, returning: bool) -> tuple[str, tuple]:
    """The INSERT of these rows (one model) as Django's compiler writes it: the same columns, `pre_save`
    and `get_db_prep_save` per value, `row_id` subqueries in place. The columns and the statement's start
    are worked out once per model; the compiler itself (its expression resolution, quoting and assembly,
    most of the insert's CPU) runs only for a value that is another kind of expression."""
    model = type(rows[0])
    opts = model._meta
    connection = connections[using]
    key = (model, getattr(rows[0], opts.pk.attname) is not None, using)
    if key not in _statements:
        fields = [f for f in opts.concrete_fields if not (f.primary_key and not key[1])]
        fields = [f for f in fields if not getattr(f, "generated", False)]
        quote = connection.ops.quote_name
        start = f"{connection.ops.insert_statement()} {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        _statements[key] = None if any(hasattr(f, "get_placeholder") for f in fields) else (fields, start)
    known = _statements[key]
    if known is None:
        return _compiled_insert_sql(rows, using, returning=returning)
    fields, start = known
    placeholder_rows, params = [], []
    for row in rows:
        placeholders = []
        for field in fields:
            value = field.pre_save(row, add=True)
            if isinstance(value, RawSQL):  # row_id: RawSQL.as_sql, as the compiler would write it
                placeholders.append(f"({value.sql})")
                params.extend(value.params)
            elif hasattr(value, "resolve_expression"):
                return _compiled_insert_sql(rows, using, returning=returning)
            else:
                placeholders.append("%s")
                params.append(field.get_db_prep_save(value, connection=connection))
        placeholder_rows.append(placeholders)
    sql = start + connection.ops.bulk_insert_sql(fields, placeholder_rows)
    if returning:
        sql += f" RETURNING {connection.ops.quote_name(opts.pk.column)}"
    return sql, tuple(params)


def _compiled_insert_sql(rows: list[Model], using: str, *, returning: bool) -> tuple[str, tuple]:
    model = type(rows[0])
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not (f.primary_key and getattr(rows[0], f.attname) is None)]
    fields = [f for f in fields if not getattr(f, "generated", False)]
    query = InsertQuery(model)
    query.insert_values(fields, rows, raw=False)
    [(sql, params)] = query.get_compiler(using=using).as_sql()
    if returning:
        sql += f" RETURNING {connections[using].ops.quote_name(opts.pk.column)}"
    return sql, tuple(params)


def rows_insert(groups: list[list[Model]]) -> int:
    """Insert each group (rows of one model) in order, all or none; return the id of the first group's
    first row (the first group has one row). Rows refer to it with `row_id`. No model signals are sent,
    and no id is set on the rows: the caller sets what it needs."""
    groups = [group for group in groups if group]
    using = router.db_for_write(type(groups[0][0]))
    connection = connections[using]
    statements = [_insert_sql(group, using, returning=index == 0) for index, group in enumerate(groups)]
    # Several statements in one query need client-side binding (Django's default with psycopg).
    if connection.vendor == "postgresql" and not connection.settings_dict["OPTIONS"].get("server_side_binding"):
        sql = "; ".join(sql for sql, _ in statements)
        params = tuple(param for _, group_params in statements for param in group_params)
        # Inside a caller's transaction a savepoint keeps a failure (a unique key taken) from ending it.
        with transaction.atomic(using=using) if connection.in_atomic_block else nullcontext():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()[0]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            first = None
            for sql, params in statements:
                cursor.execute(sql, params)
                if first is None:
                    first = cursor.fetchone()[0]
            return first

