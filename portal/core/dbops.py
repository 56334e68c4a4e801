"""Migration operations shared by the apps."""

from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    """An index that exists in the model state everywhere but in the database only on
    PostgreSQL (GIN indexes and gin_trgm_ops do not exist on SQLite)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
