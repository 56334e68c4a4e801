"""Online payment providers (the payment issue registers the first one).

A level-4 procedure with a non-zero online fee waits in *awaiting payment* after submission; it may
only do so when a provider can take the payment. Without one, `manage.py check` fails for such a
procedure (portal/dossiers/checks.py) and the engine treats it as level 3 (fee paid at the office).
"""

from __future__ import annotations

from typing import Any

_providers: dict[str, Any] = {}


def register(name: str, provider: Any) -> None:
    if not name:
        raise ValueError("A payment provider needs a name.")
    _providers[name] = provider


def unregister(name: str) -> None:
    _providers.pop(name, None)


def available() -> bool:
    """True when at least one payment provider is registered."""
    return bool(_providers)


def names() -> list[str]:
    return sorted(_providers)


def postage_paid_online(procedure) -> bool:
    """The postage of a result by post is paid online at submission, with the fee or alone for a
    free procedure, when the procedure is at level 4 and a provider can take the payment; without
    one (the portal then works at level 3) it is paid at the office or on delivery."""
    return bool(procedure.requires_online_payment and available())
