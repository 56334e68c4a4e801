"""The citizen's dossier pages, mounted at /ho-so/: filing (`filing`: start, edit, the form and its
uploads) and the pages of a filed dossier (`pages`: list, detail, supplement, withdrawal,
downloads, public lookup). The URLconfs use the names re-exported here."""

from portal.dossiers.views.filing import edit, plugin_for, start
from portal.dossiers.views.pages import (
    attachment_download,
    detail,
    document_download,
    my_dossiers,
    public_lookup,
    supplement,
    withdraw,
)

__all__ = [
    "attachment_download",
    "detail",
    "document_download",
    "edit",
    "my_dossiers",
    "plugin_for",
    "public_lookup",
    "start",
    "supplement",
    "withdraw",
]
