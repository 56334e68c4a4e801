"""/xac-thuc/: verify an uploaded PDF; /xac-thuc/<id>/: what a document's QR code says."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.core import ratelimit
from portal.signing import verification
from portal.signing.forms import VerifyForm


def rate_key(request) -> str:
    return f"signing:verify:{ratelimit.client_ip(request)}"


def read_upload(upload) -> bytes | None:
    """The upload's bytes, or None when it is larger than the limit (never read beyond it)."""
    limit = verification.max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        return None
    data = upload.read(limit + 1)
    return None if len(data) > limit else data


@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    context: dict = {"max_mb": verification.max_upload_bytes() // (1024 * 1024)}
    status = 200
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        try:
            allowed = ratelimit.hit(
                rate_key(request),
                limit=settings.VERIFY_RATE_LIMIT,
                window=settings.VERIFY_RATE_WINDOW_SECONDS,
            )
        except ratelimit.RateLimitUnavailable as exc:
            context.update(form=form, error=exc.message)
            return render(request, "signing/verify.html", context, status=503)
        if not allowed:
            context.update(
                form=form,
                error=_("Bạn đã kiểm tra quá nhiều tệp. Vui lòng thử lại sau ít phút."),
            )
            return render(request, "signing/verify.html", context, status=429)
        if form.is_valid():
            data = read_upload(form.cleaned_data["file"])
            if data is None:
                form.add_error(
                    "file",
                    _("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": context["max_mb"]},
                )
            else:
                try:
                    context["verdict"] = verification.verify_upload(data)
                except verification.NotAPdf as exc:
                    form.add_error("file", str(exc))
        if form.errors:
            status = 400
    else:
        form = VerifyForm()
    context["form"] = form
    return render(request, "signing/verify.html", context, status=status)


@require_http_methods(["GET"])
def verify_document(request: HttpRequest, public_id) -> HttpResponse:
    document = verification.issued_document(public_id)
    if document is None:
        return render(request, "signing/document.html", {"facts": None}, status=404)
    return render(request, "signing/document.html", {"facts": verification.public_facts(document)})
