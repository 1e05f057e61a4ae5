"""The deployment files agree with the settings module; docker-compose itself validates the compose file.

The lists checked here come from `Settings` and `.env.example`, never written out by hand: a setting added to
the settings module and documented in `.env.example` fails these tests until compose passes it on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.corpus import settings_env_names as env_names

ROOT = Path(__file__).resolve().parents[1]
ENV_EXAMPLE = ROOT / ".env.example"
COMPOSE_FILE = ROOT / "docker-compose.yml"

# Settings the compose file sets itself rather than passing the user's value on, and why.
FIXED = {
    "BRIEFBOT_DATA_DIR": "the bot's data lives on the botdata volume, mounted at /data",
    "BRIEFBOT_MODELS_DIR": "E5's graph is built into the image (Dockerfile), not into the volume",
    "CHROMA_HOST": "the dense index is the compose file's own chroma service",
    "CHROMA_PORT": "the port that chroma service listens on inside the compose network",
    "LLM_AUTO_BASE_URL": "the auto endpoint is the ollama profile's service",
}

# `${NAME}`, `${NAME:-default}` or `${NAME-default}`: the substitutions this compose file uses.
_SUBSTITUTION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}")


def documented() -> set[str]:
    """The names `.env.example` assigns (NAME=value lines)."""
    return set(re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)=", ENV_EXAMPLE.read_text(), re.M))


def mentioned_settings() -> set[str]:
    """The settings' environment names `.env.example` mentions anywhere, comments included."""
    words = set(re.findall(r"\b[A-Z][A-Z0-9_]+\b", ENV_EXAMPLE.read_text()))
    return words & set(env_names())


def resolve(value: str, variables: dict[str, str]) -> str:
    """Compose's variable substitution, for the forms above."""

    def one(match: re.Match[str]) -> str:
        name, colon, default = match.group(1), match.group(2), match.group(3)
        if default is None:
            return variables.get(name, "")
        given = variables.get(name)
        unset = given is None or (colon == ":" and given == "")
        return default if unset else str(given)

    return _SUBSTITUTION.sub(one, value)


def settings_in_clean_process(environment: dict[str, str], cwd: Path) -> dict[str, object]:
    """The settings a process with exactly this environment (as in the container) ends up with."""
    code = (
        "import json; from bot.settings import Settings; "
        "print(json.dumps(Settings().model_dump(mode='json'), default=str))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": os.environ.get("PATH", ""), **environment},
        cwd=cwd,  # no .env here: only the environment counts
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def assert_container_gets_defaults(container: dict[str, str], cwd: Path) -> None:
    """Apart from the fixed settings, this container environment yields exactly the settings' defaults."""
    got = settings_in_clean_process(container, cwd)
    defaults = settings_in_clean_process({}, cwd)
    fixed_fields = {env_names()[name] for name in FIXED}
    differing = {f for f in defaults if got[f] != defaults[f]} - fixed_fields
    assert not differing, {f: (got[f], defaults[f]) for f in differing}
    assert got["data_dir"] == "/data" and got["chroma_host"] == "chroma"


@pytest.fixture(scope="module")
def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def bot_env(compose: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {k: str(v) for k, v in compose["services"]["bot"]["environment"].items()}


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


def test_env_example_names_only_settings() -> None:
    """A misspelt name in `.env.example` would be silently ignored by the settings module."""
    unknown = documented() - set(env_names())
    assert not unknown, f".env.example assigns names Settings does not read: {sorted(unknown)}"


def test_compose_passes_every_documented_setting(bot_env: dict[str, str]) -> None:
    expected = mentioned_settings() | (documented() & set(env_names()))
    assert FIXED.keys() <= expected, "a fixed name is no longer a documented setting"
    missing = expected - set(bot_env)
    assert not missing, f"documented settings that never reach the bot container: {sorted(missing)}"
    unknown = set(bot_env) - set(env_names())
    assert not unknown, f"compose passes names Settings does not read: {sorted(unknown)}"


def test_compose_passes_the_users_value_under_its_own_name(bot_env: dict[str, str]) -> None:
    """Each passed setting substitutes the variable of the same name (a typo there loses the user's value)."""
    for name, value in bot_env.items():
        if name in FIXED:
            assert "$" not in value, name
            continue
        match = _SUBSTITUTION.fullmatch(value)
        assert match is not None and match.group(1) == name, f"{name}: {value}"
        # The user's value wins whenever it is given.
        assert resolve(value, {name: "users-value"}) == "users-value"


def test_substituted_variables_are_documented() -> None:
    substituted = set(_SUBSTITUTION.findall(COMPOSE_FILE.read_text()))
    names = {s[0] for s in substituted}
    known = documented() | mentioned_settings()
    assert names <= known, names - known


def test_unconfigured_container_gets_the_settings_defaults(bot_env: dict[str, str], tmp_path: Path) -> None:
    """With nothing in .env, the container's environment (empty strings included) yields the defaults.

    Run in a fresh process with only that environment, as the container is: an empty value must mean "the
    default", never an invalid or empty setting.
    """
    container = {name: resolve(value, {}) for name, value in bot_env.items()}
    assert any(v == "" for v in container.values())  # the case this test is about
    assert_container_gets_defaults(container, tmp_path)


def test_chroma_image_matches_client_version(compose: dict) -> None:  # type: ignore[type-arg]
    import chromadb

    tag = compose["services"]["chroma"]["image"].split(":")[1]
    assert tag == chromadb.__version__


def test_dockerfile_runs_as_non_root_with_model_baked_in() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim", text, re.M)
    assert re.search(r"^USER (?!root)\w+", text, re.M)
    # E5's graph is built into the image, where the compose file points the bot.
    assert "BRIEFBOT_MODELS_DIR=/app/models" in text
    assert "briefbot prepare" in text and "VOLUME" in text


def _docker_compose() -> str:
    """The docker-compose executable. CI (.ci/run sets CI=1) must have it; elsewhere it may be absent."""
    exe = shutil.which("docker-compose")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is not installed, and CI must validate the compose file")
        pytest.skip("docker-compose (Debian package) not installed")
    return exe


def _compose_config(exe: str, tmp_path: Path, variables: dict[str, str], *extra: str) -> dict:  # type: ignore[type-arg]
    env_file = tmp_path / "compose.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in variables.items()))
    proc = subprocess.run(
        [exe, "--env-file", str(env_file), *extra, "config"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "")},  # no user variables leak in
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    config: dict = yaml.safe_load(proc.stdout)  # type: ignore[type-arg]
    return config


def test_docker_compose_config_is_valid(tmp_path: Path) -> None:
    exe = _docker_compose()
    for extra in ([], ["--profile", "ollama"]):
        _compose_config(exe, tmp_path, {}, *extra)


def test_docker_compose_delivers_each_setting(tmp_path: Path) -> None:
    """docker-compose itself resolves the file: every documented setting set in .env arrives unchanged."""
    exe = _docker_compose()
    passed = (mentioned_settings() | (documented() & set(env_names()))) - FIXED.keys()
    given = {name: f"value-of-{name.lower()}" for name in passed}
    env = _compose_config(exe, tmp_path, given)["services"]["bot"]["environment"]
    assert {name: env.get(name) for name in passed} == given
    # And with nothing given, the container starts from the settings module's defaults.
    empty = _compose_config(exe, tmp_path, {})["services"]["bot"]["environment"]
    assert_container_gets_defaults({k: str(v) for k, v in empty.items()}, tmp_path)
