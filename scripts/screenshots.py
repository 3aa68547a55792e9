"""Screenshots of the main screens for the README, and question-to-answer times measured in the browser.

Run against the app on the full knowledge base (start it first with `bash scripts/run.sh app`):

    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:7860/] [--runs 3]

Writes docs/screenshots/*.png and prints, per question, the time from pressing Enter to the first answer
text and to the full answer with its sources, as a browser (Debian's headless Chromium) sees them.
"""

import argparse
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser import launch  # noqa: E402 - the same Chromium the browser tests use

SHOTS = ROOT / "docs" / "screenshots"
QUESTIONS = [
    "Can I use an AI virtual host in my live room?",
    "直播间要公示哪些信息？",
    "Must I accept a return 5 days after delivery without a reason?",
    "买到假货能要求几倍赔偿？",
    "What penalties apply to faking sales data in a live stream?",
    "主播夸大宣传谁负责？",
]
# Times, from the Enter key, the first answer text and the finished answer of the question sent next.
TIMER = """() => {
  window.__timing = null;
  const rows = () => document.querySelectorAll("#chat .message-row");
  const done = () => [...rows()].filter(r => /Answered by|回答方式/.test(r.innerText)).length;
  const before = rows().length, finished = done();
  let start = null, first = null;
  document.addEventListener("keydown", () => { start = start ?? performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    if (start === null) return;
    const all = rows();
    if (first === null && all.length >= before + 2) {
      const text = all[all.length - 1].innerText.trim();
      if (text && text !== "…") first = performance.now() - start;
    }
    if (done() > finished) {
      observer.disconnect();
      window.__timing = [first ?? performance.now() - start, performance.now() - start];
    }
  });
  observer.observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def ask(page, question: str) -> tuple[float, float]:
    page.fill("#question textarea", question)
    page.evaluate(TIMER)
    page.press("#question textarea", "Enter")
    page.wait_for_function("window.__timing !== null", timeout=60_000)
    first, full = page.evaluate("window.__timing")
    return first, full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--runs", type=int, default=3, help="times each question is asked for the timings")
    args = parser.parse_args()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(args.url)
        page.wait_for_selector("#question textarea")

        ask(page, "Can I use an AI virtual host in my live room?")
        page.screenshot(path=SHOTS / "chat-english.png")
        ask(page, "直播间要公示哪些信息？")
        page.locator("#chat a.cite").first.click()
        page.wait_for_timeout(800)
        page.screenshot(path=SHOTS / "citation-clicked.png")

        page.click("#new-chat")
        page.get_by_label("中文").check()
        page.get_by_label("监管人员").check()
        ask(page, "直播营销平台应当履行哪些义务？")
        page.screenshot(path=SHOTS / "chat-chinese-official.png")
        ask(page, "How do I bake sourdough bread?")
        page.screenshot(path=SHOTS / "refusal.png")

        page.get_by_label("English").check()
        page.get_by_role("tab", name="Knowledge base").click()
        page.locator("#reader-doc input").click()
        page.get_by_role("option").filter(has_text="E-Commerce Law").first.click()
        page.wait_for_selector("#reader h4")
        page.screenshot(path=SHOTS / "knowledge-base.png")

        page.get_by_role("tab", name="Chat").click()
        page.click("#new-chat")
        firsts, fulls = [], []
        for _ in range(args.runs):
            for question in QUESTIONS:
                first, full = ask(page, question)
                firsts.append(first)
                fulls.append(full)
            page.click("#new-chat")
        browser.close()
    print(f"screenshots in {SHOTS.relative_to(ROOT)}/: {', '.join(sorted(p.name for p in SHOTS.glob('*.png')))}")
    print(f"{len(fulls)} questions in the browser (ms)      p50     p95     max")
    for name, values in (("question to first answer text", firsts), ("question to full answer + sources", fulls)):
        cuts = statistics.quantiles(values, n=20, method="inclusive")
        print(f"{name:<36} {statistics.median(values):7.0f} {cuts[18]:7.0f} {max(values):7.0f}")


if __name__ == "__main__":
    main()
