"""All configuration, read once from the environment and `.env`; everything else receives it as arguments."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

if TYPE_CHECKING:
    from retrieval.documents import DocumentLimits

TELEGRAM_DEFAULT_BASE_URL = "https://api.telegram.org/bot"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        env_ignore_empty=True,
    )

    # Storage
    data_dir: Path = Field(
        default=Path("./data"), validation_alias=AliasChoices("BRIEFBOT_DATA_DIR", "data_dir")
    )
    # Model files built from the installed packages' weights (E5's ONNX graph); unset = <data dir>/models.
    models_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("BRIEFBOT_MODELS_DIR", "models_dir")
    )

    # Embeddings
    embedding_backend: Literal["ensemble", "local", "openai"] = "ensemble"
    embedding_model_dir: Path | None = None
    embedding_model: str = "text-embedding-3-small"
    embedding_base_url: str | None = None
    embedding_api_key: SecretStr | None = None

    # Dense index: unset host = embedded Chroma under the data dir
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_ssl: bool = False
    chroma_auth_token: SecretStr | None = None
    chroma_tenant: str = "default_tenant"
    chroma_database: str = "default_database"

    # LLM writer (optional upgrade; without it the offline writer is used)
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_model: str = "gpt-4o-mini"
    # Used as LLM_BASE_URL when that is unset and this endpoint answers at start-up
    # (compose's ollama profile), with LLM_AUTO_MODEL unless LLM_MODEL is given.
    llm_auto_base_url: str | None = None
    llm_auto_model: str = "llama3.2"
    llm_timeout: float = 60.0
    llm_max_retries: int = 2

    # Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_DEFAULT_BASE_URL
    allowed_chat_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    admin_chat_id: int | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "0.0.0.0"
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: SecretStr | None = None

    # Fetching
    fetch_allow_private_networks: bool = False
    fetch_max_bytes: int = 5_000_000
    fetch_deadline_seconds: float = 20.0
    max_links_per_message: int = 5
    # An article cut into more passages than this (about 150 words each) is refused with a message, never
    # cut short: it would hold up ingestion for minutes and crowd every search it matches.
    max_passages_per_article: int = Field(default=300, ge=1)

    # Followed feeds and channels: a polling round every FEEDS_POLL_SECONDS (any value from 1 up, so tests
    # can poll every few seconds); at most FEEDS_MAX_NEW_ITEMS new items per feed and chat in one round.
    feeds_poll_seconds: int = Field(default=900, ge=1)
    feeds_max_new_items: int = Field(default=20, ge=1)
    # Where public channels' web previews (`/s/NAME`) are read from; a stand-in in tests.
    telegram_web_base_url: str = "https://t.me"
    # Documents: each is read in a child process with these caps (retrieval.documents).
    max_document_bytes: int = Field(default=20_000_000, ge=1)
    max_document_pages: int = Field(default=300, ge=1)
    max_document_unpacked_bytes: int = Field(default=200_000_000, ge=1)
    document_memory_mb: int = Field(default=1024, ge=64)
    document_seconds: float = Field(default=60.0, gt=0)

    # Limits
    questions_per_minute: int = 6
    links_per_minute: int = 10

    log_level: str = "INFO"

    @field_validator("allowed_chat_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            try:
                return [int(p) for p in parts if p]
            except ValueError as exc:
                raise ValueError(
                    "ALLOWED_CHAT_IDS must be comma-separated integers, e.g. 12345,-100987"
                ) from exc
        if isinstance(value, int):
            return [value]
        return value

    @field_validator(
        "chroma_host",
        "llm_base_url",
        "llm_auto_base_url",
        "embedding_base_url",
        "telegram_webhook_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.embedding_backend == "openai" and not (self.embedding_base_url or self.llm_base_url):
            # The official endpoint is the default of the openai client; only a key is needed then.
            if not (self.embedding_api_key or self.llm_api_key):
                raise ValueError("EMBEDDING_BACKEND=openai needs EMBEDDING_BASE_URL or an API key")
        return self

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url or self.llm_api_key)

    @property
    def library_path(self) -> Path:
        return self.data_dir / "library.sqlite3"

    @property
    def state_path(self) -> Path:
        return self.data_dir / "bot.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def document_limits(self) -> DocumentLimits:
        # Imported here: reading settings should not load the document readers.
        from retrieval.documents import DocumentLimits

        return DocumentLimits(
            max_bytes=self.max_document_bytes,
            max_pages=self.max_document_pages,
            max_unpacked=self.max_document_unpacked_bytes,
            memory_bytes=self.document_memory_mb << 20,
            seconds=self.document_seconds,
        )

    @property
    def models_path(self) -> Path:
        """Model files built from the installed packages' weights (E5's ONNX graph), rebuilt when lost."""
        return self.models_dir or self.data_dir / "models"

    def secret(self, value: SecretStr | None) -> str | None:
        return value.get_secret_value() if value is not None else None


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
