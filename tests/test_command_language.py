"""Management commands print in the shell's language (studies.cli): LANGUAGE, LC_ALL,
LC_MESSAGES, LANG, as GNU gettext reads them; `LANG=es_CO.UTF-8` gives Spanish, `LANG=C` or
nothing gives English. Machine-readable output (agreement's JSON and CSV) stays English."""

import json
import socket
import sqlite3
import sys
from io import StringIO

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from coding.services import excerpt_create
from jobs.models import Job
from studies.cli import ENVIRONMENT, TranslatedCommand, command_language
from tests.test_job_services import start

COMMANDS = {
    "backup_sqlite": "audit",
    "load_demo": "demo",
    "export_qdpx": "exchange",
    "import_qdpx": "exchange",
    "import_transcripts": "interviews",
    "jobs_recover": "jobs",
    "agreement": "team",
}


@pytest.fixture
def shell(monkeypatch):
    """shell(LANG="es_CO.UTF-8"): the environment holds only the gettext variables given."""
    def set_variables(**variables):
        for name in ENVIRONMENT:
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
    set_variables()
    return set_variables


SPANISH = {"LANG": "es_CO.UTF-8"}
ENGLISH = [{"LANG": "C"}, {}]


def command(name, *args, **options):
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def failure(name, *args, **options):
    with pytest.raises(CommandError) as caught:
        command(name, *args, **options)
    return str(caught.value)


# ----- choosing the language -----

@pytest.mark.parametrize("environ, expected", [
    ({"LANG": "es_CO.UTF-8"}, "es"),
    ({"LANG": "es_ES@euro"}, "es"),
    ({"LANG": "es"}, "es"),
    ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": "C"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "POSIX"}, "en"),
    ({}, "en"),  # settings.LANGUAGE_CODE
    ({"LANG": "fr_FR.UTF-8"}, "en"),  # a language the app doesn't speak: settings.LANGUAGE_CODE
    ({"LC_MESSAGES": "es_MX.UTF-8", "LANG": "C"}, "es"),
    ({"LC_ALL": "C", "LC_MESSAGES": "es_MX.UTF-8"}, "en"),
    ({"LC_ALL": "es_AR.UTF-8", "LANG": "en_US.UTF-8"}, "es"),
    ({"LANGUAGE": "fr:es", "LANG": "en_US.UTF-8"}, "es"),  # GNU's list: the first it speaks
    ({"LANGUAGE": "de", "LANG": "es_CO.UTF-8"}, "es"),  # none in the list: the next variable
    ({"LANGUAGE": "", "LANG": "es_CO.UTF-8"}, "es"),
])
def test_it_reads_the_gettext_variables_in_gnu_order(environ, expected):
    assert command_language(environ) == expected


def test_it_falls_back_to_the_settings_language(settings):
    settings.LANGUAGE_CODE = "es"
    assert command_language({}) == "es"
    assert command_language({"LANG": "de_DE.UTF-8"}) == "es"
    assert command_language({"LANG": "C"}) == "en"


def test_every_command_of_the_task_is_translated():
    for name, app in COMMANDS.items():
        assert isinstance(load_command_class(app, name), TranslatedCommand), name


def test_a_command_leaves_the_callers_language_alone(shell, db, tmp_path):
    shell(**SPANISH)
    with translation.override("en"):
        failure("export_qdpx", str(tmp_path / "x.qdpx"), study="nothing")
        assert translation.get_language() == "en"


# ----- help texts and argument errors -----

@pytest.mark.parametrize("name", COMMANDS)
def test_help_is_in_the_shells_language(name, shell, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["manage.py", name, "--help"])
    command_object = load_command_class(COMMANDS[name], name)
    english = " ".join(str(command_object.help).split())
    with translation.override("es"):
        spanish = " ".join(str(command_object.help).split())
    assert spanish != english

    shell(**SPANISH)
    with pytest.raises(SystemExit):
        command_object.run_from_argv(["manage.py", name, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert spanish in out and english not in out

    shell(LANG="C")
    with pytest.raises(SystemExit):
        command_object.run_from_argv(["manage.py", name, "--help"])
    assert english in " ".join(capsys.readouterr().out.split())


def test_argument_help_is_in_spanish_too(shell, capsys):
    shell(**SPANISH)
    with pytest.raises(SystemExit):
        load_command_class("exchange", "export_qdpx").run_from_argv(["manage.py", "export_qdpx", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Dónde escribir el archivo .qdpx." in out and "El nombre corto (slug) del estudio." in out


# ----- backup_sqlite -----

@pytest.mark.parametrize("environ", ENGLISH)
def test_backup_sqlite_refuses_in_english(environ, shell, db, tmp_path):
    shell(**environ)
    dest = tmp_path / "backup.sqlite3"
    dest.write_text("older backup")
    message = failure("backup_sqlite", str(dest))
    assert "exists; choose a new file" in message or "is not SQLite" in message


def test_backup_sqlite_refuses_in_spanish(shell, db, tmp_path):
    shell(**SPANISH)
    dest = tmp_path / "backup.sqlite3"
    dest.write_text("older backup")
    message = failure("backup_sqlite", str(dest))
    assert "ya existe; elija un archivo nuevo" in message or "no es SQLite" in message


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backup; PostgreSQL uses pg_dump")
@pytest.mark.django_db(transaction=True)
def test_backup_sqlite_reports_in_spanish(shell, tmp_path):
    shell(**SPANISH)
    out, _err = command("backup_sqlite", str(tmp_path / "copia.sqlite3"))
    size = (tmp_path / "copia.sqlite3").stat().st_size
    assert out.startswith("Respaldo guardado en ") and "integridad correcta" in out
    assert f"({size:,} bytes".replace(",", "\xa0") in out  # grouped the Spanish way
    sqlite3.connect(tmp_path / "copia.sqlite3").close()


# ----- load_demo -----

def test_load_demo_speaks_spanish_then_english(shell, db):
    shell(**SPANISH)
    out, _err = command("load_demo")
    assert "Estudio de demostración “Pasto Open to the World” (pasto):" in out
    assert "Accesos de demostración (solo para uso local):" in out
    assert "Administrador/a del sitio" in out and "Propietario/a" in out
    assert "Demo study" not in out and "Site admin" not in out

    shell(LANG="C")
    out, _err = command("load_demo")
    assert "Demo study “Pasto Open to the World” (pasto):" in out
    assert "Demo logins (local use only):" in out and "Site admin" in out and ": Owner" in out


# ----- export_qdpx and import_qdpx -----

def test_export_and_import_qdpx_speak_spanish(shell, study, adam, tmp_path):
    shell(**SPANISH)
    backup = tmp_path / "copia.qdpx"
    out, _err = command("export_qdpx", str(backup), study="pasto")
    assert f"Se escribió {backup}: 0 participantes, 0 transcripciones, 0 temas" in out
    assert "No incluido en el archivo: Nombres, contactos y notas de los participantes" in out
    assert "Wrote" not in out and "Not in the file" not in out
    assert failure("export_qdpx", str(tmp_path / "x.qdpx"), study="nada") == "No existe el estudio nada."
    assert "No existe la carpeta" in failure("export_qdpx", str(tmp_path / "no" / "x.qdpx"), study="pasto")

    out, _err = command("import_qdpx", str(backup), owner="adam")
    assert "Nuevo estudio: Pasto test study (pasto-test-study)" in out
    assert "\nImportado: " in out and "\nFusionado: " in out
    assert "Imported" not in out and "New study" not in out
    missing = failure("import_qdpx", str(tmp_path / "nada.qdpx"), owner="adam")
    assert missing == f"No existe el archivo {tmp_path / 'nada.qdpx'}."
    assert failure("import_qdpx", str(backup), owner="nadie") == "No existe el usuario nadie."
    broken = tmp_path / "roto.qdpx"
    broken.write_bytes(b"not a zip")
    message = failure("import_qdpx", str(broken), owner="adam")
    assert message.startswith("roto.qdpx: No se pudo leer") and message.endswith("No se importó nada.")


@pytest.mark.parametrize("environ", ENGLISH)
def test_export_and_import_qdpx_speak_english(environ, shell, study, adam, tmp_path):
    shell(**environ)
    backup = tmp_path / "backup.qdpx"
    out, _err = command("export_qdpx", str(backup), study="pasto")
    assert f"Wrote {backup}: 0 participants, 0 transcripts, 0 themes" in out
    assert "Not in the file: Participants' names, contacts and notes" in out
    out, _err = command("import_qdpx", str(backup), owner="adam")
    assert "New study: Pasto test study (pasto-test-study)" in out and "Imported:" in out
    assert failure("import_qdpx", str(backup), owner="nobody") == "No user nobody."


def test_export_progress_is_the_same_in_every_language(shell, study, alice, bob, tmp_path):
    from tests.test_qdpx_export import study_build

    study_build(study, alice, bob)
    shell(**SPANISH)
    _out, spanish = command("export_qdpx", str(tmp_path / "es.qdpx"), study="pasto")
    shell()
    _out, english = command("export_qdpx", str(tmp_path / "en.qdpx"), study="pasto")
    assert spanish == english


# ----- import_transcripts -----

def test_import_transcripts_speaks_spanish(shell, participant, tmp_path):
    shell(**SPANISH)
    (tmp_path / "a.txt").write_text("Una entrevista con los jóvenes de Pasto.", encoding="utf-8")
    out, _err = command("import_transcripts", str(tmp_path / "a.txt"), "--study", "pasto",
                        "--participant", "D", "--dry-run")
    assert "Se importarían 1 transcripción, 7 palabras, de 1 participante (nuevos: 0), en " in out
    assert "Simulación: no se guardó nada." in out

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_transcripts", str(tmp_path / "a.txt"), str(tmp_path / "falta.txt"),
                     "--study", "pasto", "--participant", "D", stdout=out, stderr=err)
    assert str(caught.value) == "1 archivo rechazado; vea arriba."
    assert "Importado: 1 transcripción, 7 palabras, de 1 participante (nuevos: 0)" in out.getvalue()
    refused = f"Se rechazó 1 archivo:\n  {tmp_path / 'falta.txt'}: no existe ese archivo o carpeta."
    assert refused in out.getvalue()
    assert failure("import_transcripts", str(tmp_path), "--study", "nada") == (
        "No hay ningún estudio con el nombre corto 'nada'.")


@pytest.mark.parametrize("environ", ENGLISH)
def test_import_transcripts_speaks_english(environ, shell, participant, tmp_path):
    shell(**environ)
    (tmp_path / "a.txt").write_text("An interview with the youth of Pasto.", encoding="utf-8")
    out, _err = command("import_transcripts", str(tmp_path / "a.txt"), "--study", "pasto",
                        "--participant", "D", "--dry-run")
    assert "Would import 1 transcript, 7 words, for 1 participant (0 new), in " in out
    assert "Dry run: nothing was saved." in out


# ----- jobs_recover -----

@pytest.mark.parametrize("environ, expected", [
    (SPANISH, "marcada como fallida: su proceso de trabajo {worker} se detuvo."),
    (ENGLISH[0], "marked failed: its worker {worker} stopped."),
    (ENGLISH[1], "marked failed: its worker {worker} stopped."),
])
def test_jobs_recover_speaks_the_shells_language(environ, expected, shell, study, alice):
    shell(**environ)
    job, _ = start(study, alice)
    worker = f"{socket.gethostname()}:999999999"
    Job.objects.filter(pk=job.pk).update(status="running", worker=worker)
    out, _err = command("jobs_recover")
    assert expected.format(worker=worker) in out


# ----- agreement -----

@pytest.fixture
def coded(transcript, alice, bob, themes):
    excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=bob)
    return transcript


def test_agreement_text_speaks_spanish(shell, coded):
    shell(**SPANISH)
    out, _err = command("agreement", "pasto", "--coders", "alice,bob")
    lines = out.splitlines()
    assert lines[0].startswith("Tema\tPorcentaje de acuerdo\t")
    assert lines[2].startswith("Global\t")
    assert lines[-1].startswith("2 codificadores/as codificaron de forma independiente 1 de 1 transcripción")
    assert failure("agreement", "pasto", "--coders", "alice,nadie") == "No es codificador(a) de pasto: nadie."
    assert failure("agreement", "nada", "--coders", "alice,bob") == "No existe el estudio nada."


def test_agreement_json_and_csv_keep_english_names_in_spanish(shell, coded):
    shell(**SPANISH)
    data = json.loads(command("agreement", "pasto", "--coders", "alice,bob", "--format", "json")[0])
    assert [row["Theme"] for row in data["rows"]] == ["Youth", "Overall"]
    assert data["rows"][0]["Cohen's κ"] == 1.0
    assert data["methods"].startswith("2 codificadores/as")  # the paragraph is for people
    out, _err = command("agreement", "pasto", "--coders", "alice,bob", "--format", "csv")
    assert out.splitlines()[0].startswith("Theme,Percent agreement,")
    shell()
    assert command("agreement", "pasto", "--coders", "alice,bob", "--format", "csv")[0] == out


@pytest.mark.parametrize("environ", ENGLISH)
def test_agreement_text_speaks_english(environ, shell, coded):
    shell(**environ)
    out, _err = command("agreement", "pasto", "--coders", "alice,bob")
    assert out.startswith("Theme\tPercent agreement\t")
    assert out.splitlines()[-1].startswith("2 coders independently coded 1 of 1 transcript")

