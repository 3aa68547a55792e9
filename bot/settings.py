"""All settings in one typed place: environment variables with the ``BOT_`` prefix (or a ``.env`` file)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "multilingual-e5-small"
MINILM = "all-minilm-l6-v2"


class SettingsError(ValueError):
    """A setting has a wrong value; the message names it in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Index, exported models and models live here.")
    kb_dir: Path = Field(Path("kb"), description="Documents ingested when the index is empty.")
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description=f"'{DEFAULT_MODEL}' (bundled), '{MINILM}' (English only), "
        "or any sentence-transformers name or local path.",
    )
    chroma_url: str | None = Field(None, description="Chroma server URL; unset = embedded store in data_dir.")
    collection: str = Field(
        "live-commerce", min_length=3, max_length=60, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$"
    )
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    top_k: int = Field(5, ge=1, le=50, description="Passages an answer draws on.")
    pool: int = Field(40, ge=1, le=500, description="Candidates each retriever contributes before fusion.")
    rrf_k: int = Field(10, ge=1, le=1000, description="Reciprocal-rank fusion constant.")
    dense_weight: float = Field(1.0, ge=0, le=10)
    cross_dense_weight: float = Field(
        0.6, ge=0, le=10, description="Dense weight when filters admit only the other language's passages."
    )
    lexical_weight: float = Field(1.0, ge=0, le=10)
    lexical_score_weight: float = Field(
        0.015, ge=0, le=1, description="Weight of BM25's scaled score beside its rank in the fusion (0: ranks only)."
    )
    question_weight: float = Field(
        0.5, ge=0, le=10, description="Weight of the digests' listed questions nearest the query (0: off)."
    )
    named_boost: float = Field(
        2.0, ge=1, le=10, description="Factor on the fused score of documents the question names by title."
    )
    subsection_ratio: float = Field(
        0.75, ge=0, le=10, description="A subsection scoring this share of its leading overview section leads."
    )
    follow_up_weight: float = Field(
        1.5, ge=0, le=10, description="Factor on each channel's weight for a search on a follow-up's own words alone."
    )
    answer_backend: Literal["extractive", "openai", "ollama", "llamacpp"] = Field(
        "extractive", description="Who writes answers: the built-in extractive answerer, or a configured LLM."
    )
    llm_base_url: str | None = Field(None, description="OpenAI-compatible or Ollama endpoint.")
    llm_api_key: str | None = None
    llm_model: str = Field("", description="Model name, or the GGUF file path for llamacpp.")
    llm_timeout: float = Field(60.0, gt=0, le=600)
    batch_size: int = Field(32, ge=1, le=1024, description="Texts embedded per batch during ingest.")
    device: Literal["cpu", "cuda", "mps"] = "cpu"

    @field_validator("chroma_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value or None

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings; a wrong value raises SettingsError naming the variable."""
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "BOT_" + str(first["loc"][0]).upper() if first["loc"] else "BOT_*"
        raise SettingsError(f"{name}: {first['msg']} (got {first.get('input')!r})") from None
