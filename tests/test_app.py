"""The real app, started as a user starts it, answers through gradio_client."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from gradio_client import Client

from .conftest import LIVE_RULES_ZH, ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app_url(settings):
    """app.py on an empty index: it must build the index from the kb folder before serving."""
    settings.kb_dir.mkdir(parents=True)
    (settings.kb_dir / "live-rules.md").write_text(LIVE_RULES_ZH, encoding="utf-8")
    port = _free_port()
    env = {
        **os.environ,
        "BOT_DATA_DIR": str(settings.data_dir),
        "BOT_COLLECTION": settings.collection,
        "BOT_KB_DIR": str(settings.kb_dir),
        "BOT_PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}/"
    output = []
    deadline = time.time() + 300
    while time.time() < deadline:
        line = process.stdout.readline()
        output.append(line)
        if "Running on local URL" in line:
            break
        if process.poll() is not None:
            pytest.fail("app exited:\n" + "".join(output))
    yield url, "".join(output)
    process.terminate()
    process.wait(timeout=30)
    shutil.rmtree(settings.kb_dir)


def test_app_builds_the_index_and_answers_through_the_api(app_url):
    url, startup = app_url
    assert "building it from" in startup and "added" in startup
    client = Client(url, verbose=False)
    result = client.predict("直播间要公示营业执照吗？", "[]", api_name="/ask")
    assert result["refused"] is False and result["lang"] == "zh"
    assert result["citations"][0]["articles"] == [2] and "[1]" in result["answer"]
    history = json.dumps([{"role": "user", "content": "直播卖食品要查验什么？"}])
    follow_up = client.predict("记录保存多久？", history, api_name="/ask")
    assert follow_up["refused"] is False and follow_up["citations"][0]["articles"] == [4]
    off_topic = client.predict("How do I bake sourdough bread?", "[]", api_name="/ask")
    assert off_topic["refused"] is True and "not cover" in off_topic["answer"]
