"""Colour contrast by the WCAG 2.x formula, and the colours the pages derive from theme colours.

A theme's colour is the user's choice and may be anything; what the pages draw with it must stay
legible: text on it at least 4.5:1 (WCAG 1.4.3), and a line or bar drawn with it at least 3:1
against white (WCAG 1.4.11). `ink` darkens a colour just enough for the latter, so a pale
yellow theme still gets a visible stripe and underline, in its own hue.
"""

import functools
import re

WHITE = "#ffffff"
BLACK = "#000000"
TEXT = "#212529"  # Bootstrap's body text
GREY = "#6c757d"  # for a colour that is not #rrggbb: 4.69:1 on white
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _rgb(colour):
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def _hex(rgb):
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


def luminance(colour):
    """Relative luminance of a #rrggbb colour (WCAG 2.x definition)."""
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    """The contrast ratio of two #rrggbb colours, from 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(colour, other, share):
    """`share` (0..1) of `colour` over `other`, as #rrggbb: an rgba() colour painted on `other`."""
    return _hex(share * c + (1 - share) * o for c, o in zip(_rgb(colour), _rgb(other), strict=True))


def text_on(background):
    """Black or white, whichever reads better on `background`: always at least 4.58:1."""
    return BLACK if contrast(background, BLACK) >= contrast(background, WHITE) else WHITE


@functools.lru_cache(maxsize=4096)  # a page asks for each theme's: computed once per colour
def ink(colour, *, against=WHITE, ratio=3.0):
    """`colour`, darkened towards black in small steps until it reaches `ratio` against
    `against`: for stripes, borders and underlines drawn in a theme's colour. Anything but
    #rrggbb becomes GREY."""
    if not HEX.match(colour or ""):
        return GREY
    share = 1.0
    out = colour.lower()
    while contrast(out, against) < ratio and share > 0:
        share = round(share - 0.05, 2)
        out = mix(colour, BLACK, share)
    return out
