"""Numbers written the way the page's language writes them."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext

register = template.Library()


@register.filter
def percent(share, decimals=0):
    """A share (0.456) as a percentage in the active language: 46% in English, 46 % in Spanish
    (with a no-break space, as the RAE writes it); decimals use the language's separator."""
    if share in (None, ""):
        return ""
    value = number_format(round(float(share) * 100, int(decimals)), decimal_pos=int(decimals))
    # Translators: a percentage; keep %(number)s, and write the percent sign as %%.
    return gettext("%(number)s%%") % {"number": value}
