"""The command-line JSON contract that evaluations depend on."""

import json

import pytest

from bot.cli import _readable

from .conftest import run_cli

HIT_KEYS = ["rank", "doc_id", "doc_type", "title", "locator", "articles", "section", "page", "score", "text"]
CITATION_KEYS = {"n", "doc_id", "title", "locator", "articles", "section", "page", "quote", "url"}


@pytest.fixture
def indexed_settings(assistant, corpus):
    assistant.ingest([corpus])
    return assistant.settings


def test_retrieve_json(indexed_settings):
    result = run_cli(["-m", "bot", "retrieve", "直播间要公示营业执照吗？", "--k", "3", "--json"], indexed_settings)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["question"] == "直播间要公示营业执照吗？"
    assert [list(hit) for hit in payload["hits"]] == [HIT_KEYS] * 3
    top = payload["hits"][0]
    assert (top["rank"], top["doc_id"], top["articles"]) == (1, "live-rules", [2])
    assert isinstance(top["score"], float) and "营业执照" in top["text"]


def test_ask_json_with_history(indexed_settings, tmp_path):
    history = tmp_path / "history.json"
    history.write_text(
        json.dumps(
            [
                {"role": "user", "content": "直播卖食品要查验什么？"},
                {"role": "assistant", "content": "要查验许可证。[1]"},
            ]
        ),
        encoding="utf-8",
    )
    result = run_cli(["-m", "bot", "ask", "记录要保存多久？", "--json", "--history", str(history)], indexed_settings)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert {"question", "answer", "lang", "refused", "citations", "timings_ms"} <= set(payload)
    assert payload["lang"] == "zh" and payload["refused"] is False
    assert set(payload["citations"][0]) >= CITATION_KEYS
    assert payload["citations"][0]["articles"] == [4]
    assert "[1]" in payload["answer"] and payload["citations"][0]["quote"] in payload["answer"].replace(" [1]", "")


def test_batch_prints_one_line_per_question_and_refuses_off_topic(indexed_settings, tmp_path):
    batch = tmp_path / "questions.jsonl"
    batch.write_text(
        "\n".join(
            json.dumps(q, ensure_ascii=False)
            for q in [
                {"id": "a", "question": "How long must I keep purchase inspection records when selling food?"},
                {"id": "b", "question": "What is the boiling point of mercury?"},
                {"id": "c", "question": "法国的首都是哪里？"},
            ]
        ),
        encoding="utf-8",
    )
    result = run_cli(["-m", "bot", "ask", "--batch", str(batch)], indexed_settings)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert [line["refused"] for line in lines] == [False, True, True]
    assert "not cover" in lines[1]["answer"] and "知识库" in lines[2]["answer"]
    assert lines[1]["citations"] == []


def test_readable_output_without_json(indexed_settings):
    result = run_cli(["-m", "bot", "ask", "直播间卖食品，进货查验记录要保存几年？"], indexed_settings)
    assert result.returncode == 0, result.stderr
    assert "Sources:" in result.stdout and "Article 4 · 第四条" in result.stdout


def test_missing_question_is_a_usage_error(indexed_settings):
    result = run_cli(["-m", "bot", "ask"], indexed_settings)
    assert result.returncode == 2 and "QUESTION" in result.stderr


def test_persona_and_doc_type_flags_filter_what_is_searched(indexed_settings):
    """The paper answers a logistics question unfiltered; a merchant's rules-only preset excludes it, and
    ``--doc-type paper`` keeps only it."""

    def doc_types(*flags: str) -> set[str]:
        result = run_cli(
            ["-m", "bot", "retrieve", "cold-chain logistics for fresh produce", "--json", *flags], indexed_settings
        )
        assert result.returncode == 0, result.stderr
        return {hit["doc_type"] for hit in json.loads(result.stdout)["hits"]}

    assert "paper" in doc_types()
    merchant = doc_types("--persona", "merchant")
    assert merchant and "paper" not in merchant
    assert doc_types("--doc-type", "paper") == {"paper"}


def test_readable_answer_names_see_also_after_its_sources_in_the_answers_language():
    named = {"title": "E-Commerce Law", "title_zh": "电子商务法", "locator": "Article 49", "quote": "合同成立。"}
    cited = {**named, "n": 1, "locator": "Article 17", "quote": "如实披露。"}
    result = {"answer": "如实披露。 [1]", "lang": "zh", "refused": False, "citations": [cited], "related": [named]}
    text = _readable("ask", {**result, "notice": "以上为信息参考。"})
    assert text.index("Sources:") < text.index(
        "另见（相近条款，本回答未采用）：\n- 电子商务法 · Article 49: “合同成立。”"
    )
    assert text.endswith("以上为信息参考。")
    assert "另见" not in _readable("ask", {**result, "related": []})
