"""Settings (graph/model/settings.py): values given first, then a TULAR_ variable of the
environment (its name in any case), then the .env file of the working directory, then the
defaults; pydantic converts and checks them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from tular.graph.model.settings import DEFAULT_DB, Settings


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No TULAR_ variable and no .env file but those a test sets."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("TULAR_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_defaults_without_environment(clean: pytest.MonkeyPatch):
    settings = Settings()
    assert (settings.db, settings.lang, settings.public_read, settings.lock_wait) == (DEFAULT_DB, "id", False, 8.0)


def test_environment_in_any_case_converted_and_unknown_names_ignored(clean: pytest.MonkeyPatch):
    clean.setenv("TULAR_DB", "sqlite:///elsewhere.db")
    clean.setenv("tular_lock_wait", "2.5")
    clean.setenv("TULAR_PUBLIC_READ", "yes")
    clean.setenv("TULAR_NOT_A_SETTING", "x")
    settings = Settings()
    assert (settings.db, settings.lock_wait, settings.public_read) == ("sqlite:///elsewhere.db", 2.5, True)
    assert not hasattr(settings, "not_a_setting")


def test_given_values_over_environment_over_env_file(clean: pytest.MonkeyPatch, tmp_path: Path):
    (tmp_path / ".env").write_text("TULAR_DB=sqlite:///from-file.db\nTULAR_LANG=en\nTULAR_MAX_UPLOAD_MB=7\nOTHER=1\n")
    assert (Settings().db, Settings().lang, Settings().max_upload_mb) == ("sqlite:///from-file.db", "en", 7)
    clean.setenv("TULAR_LANG", "id")
    assert (Settings().db, Settings().lang) == ("sqlite:///from-file.db", "id")
    assert Settings(lang="en", db="sqlite:///given.db").model_dump(include={"db", "lang"}) == {
        "db": "sqlite:///given.db", "lang": "en"}


def test_a_bad_value_is_refused_naming_the_setting(clean: pytest.MonkeyPatch):
    clean.setenv("TULAR_MAX_UPLOAD_MB", "many")
    with pytest.raises(ValidationError, match="max_upload_mb"):
        Settings()


def test_settings_handed_to_a_worker_as_json_come_back_whole(clean: pytest.MonkeyPatch):
    """``tular serve`` hands its settings to worker processes as JSON (SERVE_SETTINGS_ENV):
    what was given there wins over the worker's environment."""
    given = Settings(db="sqlite:///served.db", public_read=True)
    clean.setenv("TULAR_DB", "sqlite:///other.db")
    assert Settings.model_validate_json(given.model_dump_json()) == given
