"""The identity-card procedures registered with the dossier engine (portal.dossiers.registry).

- 2.000200 cấp thẻ căn cước (first issue; under 14 through the legal representative),
- 2.001195 cấp đổi (renewal), 2.001194 cấp lại (re-issue),
- 2.001178 cấp xác nhận số chứng minh nhân dân 9 số, số định danh cá nhân (number confirmation).

`citizen_id.apps` registers every plugin listed here at start-up.
"""

from __future__ import annotations


def all_plugins() -> list:
    from .cards import PLUGINS as CARD_PLUGINS
    from .confirmation import PLUGINS as CONFIRMATION_PLUGINS

    return [*CARD_PLUGINS, *CONFIRMATION_PLUGINS]
