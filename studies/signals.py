"""Signals for events the history must show that change no tracked row.

`study_event` is sent by an app below or beside audit (which may not import audit); audit records
each one in the study's history. Keyword arguments: `study`, `user`, `event` (a short key, e.g.
"qdpx_export_with_withdrawn") and `data` (a JSON-able dict)."""

from django.dispatch import Signal

study_event = Signal()
