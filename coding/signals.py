"""Signals the coding app sends for the layers above it, which it must not import."""

from django.dispatch import Signal

# Sent by coding.transcript_text.transcript_text_update inside its transaction, after the
# transcript's excerpts moved and before the new text is saved, with `transcript`, `old` and
# `new` (the texts), `mapping` (interviews.reanchor.TextMapping) and `rewrite` (anonymisation's
# quote rewrite, or None). Receivers move their own spans, keeping the quote invariant.
transcript_text_changed = Signal()
