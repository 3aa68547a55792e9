"""The same code against a Chroma server (BOT_CHROMA_URL): a real `chroma run` on loopback."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.service import Assistant
from bot.store import ModelMismatchError, open_collection


@pytest.fixture
def chroma_url(tmp_path):
    executable = Path(sys.executable).with_name("chroma")
    if not executable.exists():
        executable = Path(shutil.which("chroma") or "chroma")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [str(executable), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.3)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


def test_ingest_and_retrieve_through_a_chroma_server(settings, embedder, corpus, chroma_url):
    remote = settings.model_copy(update={"chroma_url": chroma_url})
    assistant = Assistant(remote, embedder)
    report = assistant.ingest([corpus])
    assert report.added == assistant.collection.count() > 0
    top = assistant.retrieve("直播间要公示营业执照吗？", k=1)[0]
    assert top.metadata["articles"] == [2], "dense and lexical retrieval work against the server"
    assert assistant.ingest([corpus]).added == 0
    with pytest.raises(ModelMismatchError):
        open_collection(remote, "all-minilm-l6-v2")
