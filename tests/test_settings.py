import pytest

from bot.settings import Settings, SettingsError, get_settings

from .conftest import run_cli


def test_defaults():
    settings = Settings(_env_file=None)
    assert (settings.host, settings.port, settings.embedding_model) == ("127.0.0.1", 7860, "multilingual-e5-small")


@pytest.mark.parametrize(
    ("variable", "value"), [("BOT_PORT", "seventy"), ("BOT_TOP_K", "0"), ("BOT_CHROMA_URL", "localhost:8000")]
)
def test_wrong_setting_names_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    with pytest.raises(SettingsError) as error:
        get_settings()
    get_settings.cache_clear()
    assert str(error.value).startswith(variable + ":")
    assert "\n" not in str(error.value)


def test_cli_reports_a_wrong_setting_in_one_line(settings):
    result = run_cli(["-m", "bot", "ask", "hello"], settings, env={"BOT_PORT": "not-a-port"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "BOT_PORT" in result.stderr
