"""The real app, started as a user starts it, answers through gradio_client."""

import json
import shutil

import pytest
from gradio_client import Client

from .conftest import LIVE_RULES_ZH, run_cli, start_app, stop_app


@pytest.fixture
def app_url(settings):
    """app.py on an empty index: it must build the index from the kb folder before serving."""
    settings.kb_dir.mkdir(parents=True)
    (settings.kb_dir / "live-rules.md").write_text(LIVE_RULES_ZH, encoding="utf-8")
    process, url, startup = start_app(settings)
    yield url, startup
    stop_app(process)
    shutil.rmtree(settings.kb_dir)


def test_app_builds_the_index_and_answers_through_the_api(app_url, settings):
    url, startup = app_url
    assert "building it from" in startup and "added" in startup
    client = Client(url, verbose=False)
    result = client.predict("直播间要公示营业执照吗？", [], "merchant", {}, api_name="/ask")
    assert result["refused"] is False and result["lang"] == "zh" and result["backend"] == "extractive"
    assert result["citations"][0]["articles"] == [2] and "[1]" in result["answer"]
    cli = run_cli(["-m", "bot", "ask", "--json", "--persona", "merchant", "直播间要公示营业执照吗？"], settings)
    from_cli = json.loads(cli.stdout)
    assert {**from_cli, "timings_ms": None} == {**result, "timings_ms": None}

    history = [{"role": "user", "content": "直播卖食品要查验什么？"}]
    follow_up = client.predict("记录保存多久？", history, None, None, api_name="/ask")
    assert follow_up["refused"] is False and follow_up["citations"][0]["articles"] == [4]
    off_topic = client.predict("How do I bake sourdough bread?", [], None, None, api_name="/ask")
    assert off_topic["refused"] is True and "not cover" in off_topic["answer"]
    filtered = client.predict("直播间要公示营业执照吗？", [], None, {"doc_types": ["paper"]}, api_name="/ask")
    assert all(c["doc_type"] == "paper" for c in filtered["citations"])
    with pytest.raises(Exception, match="unknown persona"):
        client.predict("直播间要公示营业执照吗？", [], "lawyer", None, api_name="/ask")
