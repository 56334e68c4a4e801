"""API-wide tests reuse the dossier engine's fixtures (units, people, procedures, make_dossier)."""

from tests.dossiers.conftest import *  # noqa: F403
from tests.dossiers.conftest import _fast_password_hashing  # noqa: F401 - autouse, not in *
