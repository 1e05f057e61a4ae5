"""The deployment files agree with the settings module; docker-compose itself validates the compose file."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _env_names() -> set[str]:
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        choices = getattr(field.validation_alias, "choices", None)
        names.update(str(c) for c in choices) if choices else names.add(name.upper())
    return names


@pytest.fixture(scope="module")
def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_and_volumes(compose: dict) -> None:  # type: ignore[type-arg]
    services = compose["services"]
    assert {"bot", "chroma", "ollama"} <= set(services)
    assert services["ollama"]["profiles"] == ["ollama"]
    assert "profiles" not in services["bot"] and "profiles" not in services["chroma"]
    # Chroma is reachable on the compose network only.
    assert "ports" not in services["chroma"]
    declared = set(compose["volumes"])
    for service in services.values():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            assert source in declared, source
    assert any(m.endswith(":/data") for m in services["bot"]["volumes"])


def test_bot_variables_are_settings(compose: dict) -> None:  # type: ignore[type-arg]
    env = compose["services"]["bot"]["environment"]
    known = _env_names()
    assert set(env) <= known, set(env) - known
    assert env["CHROMA_HOST"] == "chroma"
    assert env["LLM_AUTO_BASE_URL"].startswith("http://ollama:")
    # Every ${VAR} the file substitutes is a setting or a compose-only knob documented in .env.example.
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    substituted = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    assert substituted <= documented, substituted - documented


def test_chroma_image_matches_client_version(compose: dict) -> None:  # type: ignore[type-arg]
    import chromadb

    tag = compose["services"]["chroma"]["image"].split(":")[1]
    assert tag == chromadb.__version__


def test_dockerfile_runs_as_non_root_with_model_baked_in() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim", text, re.M)
    assert re.search(r"^USER (?!root)\w+", text, re.M)
    assert "minilm_e5(LocalEmbedder())" in text and "VOLUME" in text


@pytest.mark.skipif(
    shutil.which("docker-compose") is None, reason="docker-compose (Debian package) not installed"
)
def test_docker_compose_config_is_valid() -> None:
    for extra in ([], ["--profile", "ollama"]):
        proc = subprocess.run(
            ["docker-compose", *extra, "config", "-q"], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0, proc.stderr
