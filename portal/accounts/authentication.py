"""API token authentication: DRF's TokenAuthentication with the token and its user read by one
hand-written statement.

DRF builds and compiles `Token.objects.select_related("user").get(key=…)` on every request (ORM
query building and SQL compilation, ~1 ms in-process); the statement is always the same, so it is
written once per process and run with a cursor. Same header parsing (DRF's, keyword `Token`), same
errors (401 for an unknown token or an inactive user), same objects: `request.user` is the whole
User row (every concrete field, the model's converters applied) and `request.auth` the Token.
Nothing is cached between requests: a revoked token, a deactivated user or a changed password
counts from the next request on.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.utils.translation import gettext_lazy as drf_text  # DRF's msgids, DRF's catalogue
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


class _Statement:
    """The SQL and the column converters for one database alias, built on first use."""

    def __init__(self, alias: str):
        connection = connections[alias]
        quote = connection.ops.quote_name
        user_model = get_user_model()
        self.token_fields = [f for f in Token._meta.concrete_fields if f.attname != "user_id"]
        self.user_fields = list(user_model._meta.concrete_fields)
        token_table, user_table = quote(Token._meta.db_table), quote(user_model._meta.db_table)
        columns = [f"{token_table}.{quote(f.column)}" for f in self.token_fields] + [
            f"{user_table}.{quote(f.column)}" for f in self.user_fields
        ]
        user_fk = Token._meta.get_field("user")
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {token_table} INNER JOIN {user_table} "
            f"ON {token_table}.{quote(user_fk.column)} = {user_table}."
            f"{quote(user_fk.target_field.column)} "
            f"WHERE {token_table}.{quote(Token._meta.get_field('key').column)} = %s"
        )
        self.converters = []
        for index, field in enumerate(self.token_fields + self.user_fields):
            col = field.get_col(field.model._meta.db_table)
            found = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            if found:
                self.converters.append((index, col, found))
        self.split = len(self.token_fields)
        self.token_selected = [f.attname for f in self.token_fields]
        # Model.from_db takes the values in the order of the model's concrete fields
        self.token_names = [f.attname for f in Token._meta.concrete_fields]
        self.user_names = [f.attname for f in self.user_fields]


_statements: dict[str, _Statement] = {}


def token_with_user(key: str) -> Token | None:
    """The token `key` with its user (one statement), or None."""
    alias = router.db_for_read(Token)
    statement = _statements.get(alias)
    if statement is None:
        statement = _statements[alias] = _Statement(alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for index, col, converters in statement.converters:
        for converter in converters:
            row[index] = converter(row[index], col, connection)
    split = statement.split
    user = get_user_model().from_db(alias, statement.user_names, row[split:])
    found = dict(zip(statement.token_selected, row[:split], strict=True), user_id=user.pk)
    token = Token.from_db(
        alias, statement.token_names, [found[name] for name in statement.token_names]
    )
    token.user = user  # the relation is filled: token.user reads no more rows
    return token


class PortalTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, read with one precompiled statement (see the module)."""

    def authenticate_credentials(self, key):
        token = token_with_user(key) if "\x00" not in key else None
        if token is None:
            raise exceptions.AuthenticationFailed(drf_text("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(drf_text("User inactive or deleted."))
        return (token.user, token)
