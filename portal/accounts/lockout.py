"""Login lockout for every way in: the site login page, the admin login and the API token.

django-axes records each failed login (Django's `user_login_failed` signal, sent by `authenticate`
with the request) in one table, whichever of the three entry points it came through; each entry
point asks `lockout_seconds()` BEFORE checking the password, so a locked-out account gets no
session and no token, and the answer during a lockout says nothing about the password.

Three tiers, all over AXES_COOLOFF_TIME (settings.py gives the numbers and the reasons):
one account from one client address (AXES_FAILURE_LIMIT), one account from any address
(LOGIN_FAILURE_LIMIT_PER_ACCOUNT) and one address over any accounts (LOGIN_FAILURE_LIMIT_PER_CLIENT).
The client address is `portal.core.ratelimit.client_ip` (AXES_CLIENT_IP_CALLABLE).
"""

from __future__ import annotations

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone

from portal.accounts.validators import normalize_personal_id

USERNAME_MAX_LENGTH = 150  # accounts.User.username; axes stores it in a 255-character column


def login_username(value: str) -> str:
    """The username as the login forms and the token endpoint authenticate it: trimmed, a personal
    number without separators. Also what the lockout counts, so every entry point agrees."""
    value = (value or "").replace("\0", "").strip()[:USERNAME_MAX_LENGTH]
    compact = normalize_personal_id(value)
    return compact if compact.isdigit() else value


def _limit(parameter) -> int:
    if parameter == "username":
        return settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT
    if parameter == "ip_address":
        return settings.LOGIN_FAILURE_LIMIT_PER_CLIENT
    return settings.AXES_FAILURE_LIMIT


class TieredLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with one failure limit per lockout parameter (see the module)."""

    def seconds_locked(self, request, credentials: dict | None = None) -> int:
        """0 if not locked out; else the seconds until enough failures leave the cool-off window."""
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        filters = self.filter_kwargs(request, credentials)
        cooloff = get_cool_off(request)
        now = timezone.now()
        wait = 0
        for parameter, attempts, kwargs in zip(parameters, attempts_list, filters, strict=True):
            if not all(kwargs.values()):
                continue  # no username (or no address): that tier does not apply
            limit, total = _limit(parameter), 0
            rows = attempts.order_by("-attempt_time").values_list(
                "attempt_time", "failures_since_start"
            )
            for attempt_time, failures in rows:
                total += failures
                if total >= limit:  # locked until this row leaves the window
                    if cooloff is None:
                        return 365 * 24 * 3600
                    left = (attempt_time + cooloff - now).total_seconds()
                    wait = max(wait, math.ceil(left), 1)
                    break
        return wait

    def filter_kwargs(self, request, credentials: dict | None = None) -> list[dict]:
        from axes.helpers import get_client_parameters, get_client_username

        return get_client_parameters(
            get_client_username(request, credentials),
            request.axes_ip_address,
            request.axes_user_agent,
            request,
            credentials,
        )

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        return self.seconds_locked(request, credentials) > 0

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """What axes compares with AXES_FAILURE_LIMIT after recording a failure (to log and
        signal a lockout): the limit itself once any tier is reached."""
        if self.seconds_locked(request, credentials):
            return settings.AXES_FAILURE_LIMIT
        return min(super().get_failures(request, credentials), settings.AXES_FAILURE_LIMIT - 1)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful login clears the failures of that account FROM THAT ADDRESS only: an
        attacker's own account must not clear the address's failures on other accounts, and the
        owner's login must not clear failures from other addresses."""
        from axes.helpers import get_client_username

        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count


def lockout_seconds(request, username: str) -> int:
    """0 when `username` may try a password from this client now; else the seconds to wait."""
    from axes.handlers.proxy import AxesProxyHandler

    credentials = {"username": login_username(username)}
    if AxesProxyHandler.is_allowed(request, credentials):
        return 0
    handler = AxesProxyHandler.get_implementation()
    if hasattr(handler, "seconds_locked"):
        return max(handler.seconds_locked(request, credentials), 1)
    cooloff = get_cool_off(request)
    return int(cooloff.total_seconds()) if cooloff else 365 * 24 * 3600


def record_failure(request, username: str) -> None:
    """Count a refused login that `authenticate` did not count (right password, but this entry
    point does not accept the account): indistinguishable from a wrong password."""
    user_login_failed.send(
        sender=__name__, credentials={"username": login_username(username)}, request=request
    )


def record_success(request, username: str) -> None:
    """A login that opens no session (the API token) clears failures like a session login does
    (AXES_RESET_ON_SUCCESS, through `user_logged_in` for the login pages)."""
    from axes.handlers.proxy import AxesProxyHandler

    if not settings.AXES_RESET_ON_SUCCESS:
        return
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    handler.reset_user_attempts(request, {"username": login_username(username)})


def minutes(seconds: int) -> int:
    return max(math.ceil(seconds / 60), 1)
