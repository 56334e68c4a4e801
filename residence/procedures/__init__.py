"""The residence procedures registered with the dossier engine (portal.dossiers.registry).

Each module defines its forms and plugins and lists the plugin instances in `PLUGINS`;
`residence.apps` registers every one at start-up.
"""

from __future__ import annotations

from importlib import import_module

MODULES = (
    "residence.procedures.absence",  # 1.003677 khai báo tạm vắng
    "residence.procedures.permanent",  # 1.004222, 1.003197, 1.010038, 1.010039
    "residence.procedures.temporary",  # 1.004194, 1.002755, 1.010028
    "residence.procedures.stay",  # 2.001159 thông báo lưu trú
    "residence.procedures.confirmation",  # 1.010041 xác nhận thông tin về cư trú (CT07)
)


def all_plugins() -> list:
    plugins = []
    for name in MODULES:
        plugins.extend(getattr(import_module(name), "PLUGINS", []))
    return plugins
