"""Signals for events the history must show that change no tracked row.

`study_event` is sent by an app below or beside audit (which may not import audit); audit records
each one in the study's history. Keyword arguments: `study`, `user`, `event` (a short key, e.g.
"qdpx_export_with_withdrawn") and `data` (a JSON-able dict)."""

from django.dispatch import Signal

study_event = Signal()

# Sent after a bulk write of tracked rows (raw SQL or bulk_create: no model signals), so the
# history still gets one row per object. Keyword arguments: `study_id`, `model` (app_label.model,
# lower case), `action` ("create" or "update") and `rows`, a list of (object id, object repr,
# data) where data is what audit records: all fields for a create, {field: [old, new]} for an
# update.
rows_bulk_written = Signal()
