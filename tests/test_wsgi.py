"""pasto_coop.wsgi, what gunicorn loads: the application, with what it loaded kept out of the
garbage collector's full collections."""

import gc
import importlib
import sys


def test_the_application_loads_and_freezes_what_it_loaded():
    gc.unfreeze()
    sys.modules.pop("pasto_coop.wsgi", None)
    try:
        wsgi = importlib.import_module("pasto_coop.wsgi")
        assert callable(wsgi.application)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
