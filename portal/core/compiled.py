"""A read statement compiled once per process per *shape* of its filter (issue 13).

Building and compiling a large ORM statement (joins, subqueries, JSON objects) costs far more
than running it. Its SQL depends only on the code that builds it and on the *shape* of its
WHERE clause (which columns, which joins, not the values): the access filter of
`visible_dossiers` has one shape per kind of user (citizen, officer, supervisor, administrator).

`CompiledStatement.first(filtered)` takes the queryset with its filter only (cheap to build),
compiles the WHERE clause alone (a few lookups), and looks up the full statement by the WHERE
clause's SQL text and the joins it needs. The first time a shape is seen, the full queryset
(`build(filtered)`) is compiled by Django as usual, and checked: its parameters must end with the
WHERE clause's parameters (Django puts them after the select list's and the joins', and the
statement has no GROUP BY, HAVING or ORDER BY parameters). Later calls run that SQL with the new
WHERE parameters and turn the row into model instances the way Django's ModelIterable does
(same converters, same related populators). The statement text never holds a value of a
request, so nothing one user may see is ever kept for another.

Outside a transaction (a GET runs in autocommit), the statement is also *prepared* on the
database connection (PREPARE on first use, sent with the first EXECUTE in one round trip; then
EXECUTE only): PostgreSQL plans it once per connection instead of on every request (planning a
statement with several joins and subqueries costs more than running it). Inside a transaction
it is sent as it is (an error there would abort the caller's transaction). If the connection
lost its prepared statements (a pooler's DISCARD ALL) or the PREPARE fails, the statement is sent
as it is and prepared again under a new name. `settings.DB_PREPARED_STATEMENTS = False` turns
preparing off (e.g. behind a transaction-mode pooler that does not keep them).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DatabaseError, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

# a shape is a kind of user: a handful; more means something builds values into the SQL text
MAX_SHAPES = 32


@dataclass(frozen=True)
class _Shape:
    sql: str
    head_params: tuple
    compiler: object
    converters: dict
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    populators: list
    annotations: dict[str, int]
    prepare_sql: str | None  # the SQL with $1, $2 … placeholders; None: never prepared
    name: str
    preparable: list[bool] = field(default_factory=lambda: [True])  # off after a failure


class CompiledStatement:
    def __init__(self, build: Callable[[QuerySet], QuerySet]):
        """`build(filtered)` adds the constant part (select_related, annotate …) to a filtered
        queryset; it must not add filters nor ordering."""
        self.build = build
        self._shapes: dict[tuple, _Shape | None] = {}
        self._lock = threading.Lock()

    def first(self, filtered: QuerySet) -> Model | None:
        """The one row `build(filtered)[:1]` would give (the filter must select at most one row:
        no ORDER BY is added), or None."""
        query = filtered.query
        connection = connections[filtered.db]
        try:
            where_sql, where_params = query.get_compiler(filtered.db).compile(query.where)
        except EmptyResultSet:
            return None
        except FullResultSet:
            where_sql, where_params = "", []
        key = (
            filtered.db,
            filtered.model,
            where_sql,
            tuple(
                (alias, join.table_name, getattr(join, "join_type", None))
                for alias, join in query.alias_map.items()
            ),
            # whatever else a filter's queryset may carry into the statement
            (query.distinct, query.distinct_fields, query.select_for_update),
            (query.low_mark, query.high_mark, repr(query.extra), repr(query.deferred_loading)),
            (repr(query.select_related), tuple(query.annotations), tuple(query.order_by)),
        )
        shape = self._shapes.get(key)
        if shape is None and key not in self._shapes:
            shape = self._compile(filtered, where_sql, tuple(where_params))
            with self._lock:
                if len(self._shapes) < MAX_SHAPES:
                    self._shapes[key] = shape
        if shape is None:  # not cacheable: the ORM as usual
            return self.build(filtered).order_by()[:1].first()
        row = _run(connection, shape, shape.head_params + tuple(where_params))
        if row is None:
            return None
        if shape.converters:
            row = next(iter(shape.compiler.apply_converters([row], shape.converters)))
        obj = shape.model.from_db(filtered.db, shape.init_list, row[shape.start : shape.end])
        for populator in shape.populators:
            populator.populate(row, obj)
        for name, position in shape.annotations.items():
            setattr(obj, name, row[position])
        return obj

    def _compile(self, filtered: QuerySet, where_sql: str, where_params: tuple) -> _Shape | None:
        full = self.build(filtered).order_by()[:1]
        compiler = full.query.get_compiler(filtered.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        params = tuple(params)
        head = params[: len(params) - len(where_params)]
        if params[len(head) :] != where_params or f"WHERE {where_sql}" not in sql:
            return None
        select, klass_info = compiler.select, compiler.klass_info
        fields = [s[0] for s in select[0 : compiler.col_count]]
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        prepare_sql = None
        if connections[filtered.db].vendor == "postgresql":
            numbers = itertools.count(1)
            # Django's placeholders become $1, $2 …; "%%" (a literal %) stays for the driver
            body = _PLACEHOLDER.sub(
                lambda m: m.group(0) if m.group(0) == "%%" else f"${next(numbers)}", sql
            )
            if next(numbers) - 1 == len(params):
                prepare_sql = body
        return _Shape(
            prepare_sql=prepare_sql,
            name="portal_" + hashlib.sha1(sql.encode()).hexdigest()[:20],
            sql=sql,
            head_params=head,
            compiler=compiler,
            converters=compiler.get_converters(fields),
            model=klass_info["model"],
            init_list=[f[0].target.attname for f in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, select, filtered.db),
            annotations=dict(compiler.annotation_col_map),
        )


_PLACEHOLDER = re.compile(r"%%|%s")
_generations = itertools.count(1)


def _prepared(connection) -> dict[str, str]:
    """The statements prepared on this database session (shape name → statement name); a new
    session (reconnection) starts empty."""
    state = getattr(connection, "_portal_prepared", None)
    if state is None or state[0] is not connection.connection:
        state = (connection.connection, {})
        connection._portal_prepared = state
    return state[1]


def _run(connection, shape: _Shape, params: tuple):
    """Execute the shape's statement with `params`: the first row, or None."""
    with connection.cursor() as cursor:
        if (
            shape.prepare_sql is None
            or not shape.preparable[0]
            or not settings.DB_PREPARED_STATEMENTS
            or connection.in_atomic_block
            or not connection.get_autocommit()
        ):
            cursor.execute(shape.sql, params)
            return cursor.fetchone()
        prepared = _prepared(connection)
        name = prepared.pop(shape.name, None)  # put back once it ran
        placeholders = ", ".join(["%s"] * len(params))
        try:
            if name is not None:
                cursor.execute(f"EXECUTE {name}({placeholders})", params)
            else:
                # a new name each time: a statement left by a failed attempt never clashes
                name = f"{shape.name}_{next(_generations)}"
                try:
                    cursor.execute(
                        f"PREPARE {name} AS {shape.prepare_sql}; EXECUTE {name}({placeholders})",
                        params,
                    )
                except DatabaseError:
                    shape.preparable[0] = False  # this statement is sent as it is from now on
                    raise
            row = cursor.fetchone()
        except DatabaseError:
            # autocommit: nothing to roll back; the statement as it is (it raises if the
            # connection itself is the problem)
            cursor.execute(shape.sql, params)
            return cursor.fetchone()
        prepared[shape.name] = name
        return row
