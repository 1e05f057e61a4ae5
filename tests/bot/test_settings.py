from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings
from tests.support.corpus import REPO

ENV_EXAMPLE = REPO / ".env.example"


def test_defaults_are_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing configured: nothing leaves the machine but fetches of public pages, and nobody is served."""
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.embedding_backend != "openai"  # embeddings come from a local model
    assert s.chroma_host is None  # the index is embedded
    assert not s.llm_enabled  # briefings are written offline
    assert s.allowed_chat_ids == []
    assert s.fetch_allow_private_networks is False


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ALLOWED_CHAT_IDS", "12345, -100987")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("CHROMA_HOST", "chroma")
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE_NETWORKS", "true")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.data_dir == tmp_path
    assert s.allowed_chat_ids == [12345, -100987]
    assert s.llm_api_key is not None and s.llm_api_key.get_secret_value() == "sk-test"
    assert s.llm_enabled
    assert s.chroma_host == "chroma"
    assert s.fetch_allow_private_networks is True
    assert "sk-test" not in repr(s)  # secrets are masked


def test_llm_key_prefers_its_own_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fallback")
    monkeypatch.setenv("LLM_API_KEY", "sk-own")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.llm_api_key is not None and s.llm_api_key.get_secret_value() == "sk-own"


def test_dotenv_file(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("LLM_BASE_URL=http://localhost:11434/v1\nLLM_MODEL=llama3.2\nCHROMA_HOST=\n")
    s = Settings(_env_file=env)  # type: ignore[call-arg]
    assert s.llm_base_url == "http://localhost:11434/v1" and s.llm_model == "llama3.2"
    assert s.chroma_host is None  # blank means unset


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_CHAT_IDS", "12,abc")
    with pytest.raises(ValidationError, match="ALLOWED_CHAT_IDS"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.delenv("ALLOWED_CHAT_IDS")
    monkeypatch.setenv("EMBEDDING_BACKEND", "magic")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_env_example_documents_every_setting() -> None:
    documented = {
        line.split("=", 1)[0].strip()
        for line in ENV_EXAMPLE.read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    expected = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        choices = getattr(alias, "choices", None)
        expected.add(str(choices[0]) if choices else name.upper())
    assert expected <= documented, expected - documented
    # And the example itself is a valid configuration.
    Settings(_env_file=ENV_EXAMPLE)  # type: ignore[call-arg]
