"""The language of management commands: the one the shell asks for, as GNU gettext reads it.

`command_language()` looks at LANGUAGE (a colon-separated list), LC_ALL, LC_MESSAGES and LANG, in
that order; the first one set decides. `es_CO.UTF-8` gives Spanish; `C` and `POSIX` give the
untranslated English; a language the app doesn't speak falls back to settings.LANGUAGE_CODE,
and so does an environment that names none. Commands inherit `TranslatedCommand`, which speaks
that language from parsing the arguments (help and usage errors) to the last line printed.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
UNTRANSLATED = {"C", "POSIX"}


def _supported(locale_name):
    """'es_CO.UTF-8' → 'es'; 'C' → 'en' (gettext's untranslated source); unknown → None."""
    name = locale_name.split(".")[0].split("@")[0].strip()
    if name in UNTRANSLATED:
        return "en"
    if not name:
        return None
    try:
        return translation.get_supported_language_variant(name.replace("_", "-").lower())
    except LookupError:
        return None


def command_language(environ=None):
    """The language code a command should print in, from the gettext environment variables."""
    environ = os.environ if environ is None else environ
    for variable in ENVIRONMENT:
        value = environ.get(variable, "").strip()
        if not value:
            continue
        if variable == "LANGUAGE":
            # GNU gettext tries each language of the list in turn.
            for part in value.split(":"):
                if found := _supported(part):
                    return found
            continue
        return _supported(value) or settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE


class TranslatedCommand(BaseCommand):
    """A management command that prints in `command_language()`: its help and argument errors
    (`run_from_argv`, `print_help`) and everything `handle()` writes or raises (`execute`, which
    `call_command` uses too). The previous language is restored afterwards."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        # argparse needs a str description; `help` is lazy, so it is read in the language active now.
        self.help = str(type(self).help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def run_from_argv(self, argv):
        with translation.override(command_language()):
            return super().run_from_argv(argv)

    def print_help(self, prog_name, subcommand):
        with translation.override(command_language()):
            return super().print_help(prog_name, subcommand)

    def execute(self, *args, **options):
        with translation.override(command_language()):
            return super().execute(*args, **options)
