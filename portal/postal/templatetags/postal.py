from django import template

register = template.Library()


@register.inclusion_tag("postal/_tracking.html")
def shipment_tracking(dossier, staff=False):
    """The dossier's shipments with their tracking events (citizen page and back office)."""
    shipments = list(dossier.shipments.prefetch_related("events")) if dossier.pk else []
    return {"shipments": shipments, "staff": staff}
