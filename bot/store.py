"""The Chroma collection: embedded in the data dir, or a Chroma server when BOT_CHROMA_URL is set.

The collection records the embedding model that built it, so vectors of two models never mix.
"""

from urllib.parse import urlparse

from bot.settings import Settings

MODEL_KEY = "embedding_model"
SENTENCES = ".sentences"  # the companion collection of the chunks' sentences (bot.sentences)


class ModelMismatchError(RuntimeError):
    """The index was built with another embedding model."""


def client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def open_collection(settings: Settings, model_id: str, suffix: str = ""):
    """The collection for ``model_id`` (``suffix``: a companion such as the sentence index); an index built by
    another model is an error, never mixed."""
    collection = client(settings).get_or_create_collection(
        settings.collection + suffix,
        configuration={"hnsw": {"space": "cosine", "ef_search": 400}},  # Chroma's default 100 missed neighbours
        metadata={MODEL_KEY: model_id},
        embedding_function=None,
    )
    built_with = (collection.metadata or {}).get(MODEL_KEY)
    if built_with != model_id:
        raise ModelMismatchError(
            f"the index '{settings.collection}' was built with embedding model {built_with!r}, "
            f"but BOT_EMBEDDING_MODEL is {model_id!r}: re-ingest with `python ingest.py --rebuild`, "
            f"or set BOT_COLLECTION to another name"
        )
    return collection


def drop_collection(settings: Settings) -> None:
    """The chunks and their sentence index."""
    chroma = client(settings)
    names = [c.name for c in chroma.list_collections()]
    for name in (settings.collection, settings.collection + SENTENCES):
        if name in names:
            chroma.delete_collection(name)
