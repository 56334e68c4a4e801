from django import template
from django.utils import timezone

from portal.backoffice import selectors

register = template.Library()


@register.inclusion_tag("backoffice/queues.html", takes_context=True)
def backoffice_queues(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not selectors.can_use_back_office(user):
        return {"queues": None}
    now = timezone.now()
    return {
        "queues": selectors.queue_counts(user=user, now=now),
        "oldest": selectors.oldest_waiting(user=user),
        "pending_reviews": selectors.pending_refusal_reviews(user=user),
        "now": now,
    }


@register.filter
def copy_kind_label(value):
    """ "original" → "Bản chính" (a supplement item's kind of copy, as stored in the history)."""
    from portal.catalogue.models import RequiredDocument

    try:
        return RequiredDocument.CopyKind(value).label
    except ValueError:
        return value
