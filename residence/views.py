"""Citizen pages of the registry: "Thông tin cư trú của tôi" (/cu-tru/cua-toi/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from residence import selectors


@login_required
def my_residence(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_citizen", False):
        raise PermissionDenied(_("Chức năng này dành cho công dân."))
    record = selectors.my_residence(request.user)
    return render(request, "residence/my_residence.html", {"record": record})
