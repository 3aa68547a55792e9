"""Shared fixtures: one exported embedding model per test session, a fresh Chroma collection per test."""

import itertools
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.embedding import load_embedder
from bot.service import Assistant
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "reference"
_names = itertools.count()

LIVE_RULES_ZH = textwrap.dedent("""\
    # 直播营销测试规定

    ## 第一章 总则

    第一条 为了规范直播营销活动，保护消费者合法权益，制定本规定。

    第二条 直播间运营者应当在直播间显著位置持续公示营业执照信息和经营者身份信息。

    ## 第二章 行为规范

    第三条 直播营销人员不得虚构或者篡改交易量、点击量、关注度等数据，不得编造用户评价。

    第四条 销售食品的，直播间运营者应当查验食品生产经营许可证，并保存进货查验记录不少于二年。

    第五条 消费者通过直播间购买商品，自收到商品之日起七日内有权退货，且无需说明理由。
    """)

PAPER_EN = textwrap.dedent("""\
    ---
    doc_id: sample-paper
    title: Live streaming and rural sales (sample paper)
    doc_type: paper
    ---
    ## Abstract
    This paper studies how live streaming helps farmers sell produce online.

    ## 1. Background
    Rural households increasingly sell fruit and tea through short-video platforms.

    ### 1.1. Logistics
    Cold-chain logistics remain the main bottleneck for fresh produce sold in live rooms.

    ## Conclusion
    Better logistics and training for hosts would raise rural incomes.
    """)


DIGEST = """\
---
doc_id: live-digest
title: Live selling test measures (digest)
title_zh: 直播销售测试办法
doc_type: regulation
status: digest
---
# Digest

## Article 3 · 第三条 — No faked sales numbers

**EN:** Hosts and live-room operators may not invent or inflate sales numbers, views or follower counts
during a stream. Penalty: Article 9.

**中文：** 主播和直播间运营者不得虚构或夸大直播中的销量、观看量和粉丝数。处罚见第九条。

## Article 5 · 第五条 — Returns within seven days

**EN:** Buyers may return goods within seven days of receipt without giving a reason.

**中文：** 买家收货后七日内可以无理由退货。

## Article 9 · 第九条 — Fines

**EN:** Anyone who breaks Article 3 is ordered to correct and fined RMB 10,000 to 100,000.

**中文：** 违反第三条的，责令改正，处一万元以上十万元以下罚款。
"""


# A digest whose section lists the questions it answers.
REVIEWS = """\
---
doc_id: reviews-digest
title: Review rules (digest)
doc_type: regulation
status: digest
---
# Digest

## Article 4 · 第四条 — No paid reviews

**EN:** Sellers may not pay or reward buyers for favourable reviews.

- Questions: Can I pay people to write five-star reviews? | May I give a red packet for a good review?
"""


def ingest_rules(assistant: Assistant, tmp_path: Path, rules: str) -> None:
    """Ingest one made-up rules document."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "rules.md").write_text(rules, encoding="utf-8")
    assistant.ingest([tmp_path / "rules"])


@pytest.fixture
def digest(assistant, tmp_path) -> Assistant:
    """A bilingual digest (the knowledge base's format): a duty, its penalty article, an unrelated article."""
    folder = tmp_path / "digest"
    folder.mkdir()
    (folder / "live-digest.md").write_text(DIGEST, encoding="utf-8")
    assistant.ingest([folder])
    return assistant


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory) -> Settings:
    """Settings pointing at a session data dir, so the default model is exported once."""
    return Settings(data_dir=tmp_path_factory.mktemp("data"), _env_file=None)


@pytest.fixture(scope="session")
def embedder(base_settings):
    return load_embedder(base_settings)


@pytest.fixture
def settings(base_settings, tmp_path) -> Settings:
    """Same model and data dir; a collection of its own."""
    return base_settings.model_copy(update={"collection": f"test-{next(_names)}", "kb_dir": tmp_path / "kb"})


@pytest.fixture
def assistant(settings, embedder) -> Assistant:
    return Assistant(settings, embedder)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A small bilingual corpus: a Chinese-only regulation and an English paper."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "live-rules.md").write_text(LIVE_RULES_ZH, encoding="utf-8")
    (folder / "sample-paper.md").write_text(PAPER_EN, encoding="utf-8")
    return folder


def run_cli(args: list[str], settings: Settings, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run a project command as a user would, with the test's data dir and collection."""
    env = {
        **os.environ,
        "BOT_DATA_DIR": str(settings.data_dir),
        "BOT_COLLECTION": settings.collection,
        "BOT_KB_DIR": str(settings.kb_dir),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, **kwargs
    )


def start_app(settings: Settings) -> tuple[subprocess.Popen, str, str]:
    """Start app.py as a user would, on a free port with the test's settings; returns (process, url, startup)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
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
    output = []
    deadline = time.time() + 300
    while time.time() < deadline:
        line = process.stdout.readline()
        output.append(line)
        if "Running on local URL" in line:
            return process, f"http://127.0.0.1:{port}/", "".join(output)
        if process.poll() is not None:
            break
    process.kill()
    pytest.fail("app did not start:\n" + "".join(output))


def stop_app(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)
