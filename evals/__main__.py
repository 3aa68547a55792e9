"""python -m evals [--tune]: retrieval quality of the project against dense-only, lexical-only and the naive
LangChain recipe, on the gold set; writes evals/results/retrieval.md and retrieval.png.

The index is the one the settings name (``BOT_DATA_DIR``/``BOT_COLLECTION``); it is built from kb/ if empty.
"""

import argparse
import itertools
import time
from pathlib import Path

from bot.filters import Filters
from bot.service import Assistant
from evals import answers
from evals.gold import HOLDOUT_DIR, Item, load_items, relevant
from evals.metrics import interval, recall_at, summarize
from evals.systems import NaiveRecipe, Project

RESULTS = Path(__file__).parent / "results"
METRICS = ["R@1", "R@5", "R@10", "MRR@10", "nDCG@10", "p50 ms", "p95 ms"]
OTHER_LANGUAGE = {"en": ("zh",), "zh": ("en", "zh+en")}
SAME_LANGUAGE = {"en": ("en", "zh+en"), "zh": ("zh",)}


def run(system, items: list[Item], filters_for=None) -> list[dict]:
    rows = []
    for item in items:
        filters = filters_for(item) if filters_for else None
        started = time.perf_counter()
        hits = system.search(item.question, item.history, filters)
        elapsed = (time.perf_counter() - started) * 1000
        rows.append(
            {
                "item": item,
                "ranks": [relevant(meta, item) for meta in hits],
                "n_relevant": len(item.gold),
                "ms": elapsed,
            }
        )
    return rows


def table(title: str, named_rows: dict[str, list[dict]], metrics=METRICS) -> str:
    lines = [f"### {title}", "", "| | n | " + " | ".join(metrics) + " |", "|---|---|" + "---|" * len(metrics)]
    for name, rows in named_rows.items():
        summary = summarize(rows)
        if summary:
            cells = [f"{summary[m]:.0f}" if "ms" in m else f"{summary[m]:.3f}" for m in metrics]
            lines.append(f"| {name} | {summary['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def slices(rows: list[dict]) -> dict[str, list[dict]]:
    groups = {"all answerable": rows}
    for key, label in (("lang", "question in {}"), ("persona", "persona {}")):
        for value in sorted({getattr(r["item"], key) for r in rows}):
            groups[label.format(value)] = [r for r in rows if getattr(r["item"], key) == value]
    groups["multi-turn follow-ups"] = [r for r in rows if r["item"].follow_up]
    return groups


def chart(results: dict[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names, metrics = list(results), ["R@1", "R@5", "R@10", "MRR@10"]
    figure, axes = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / len(names)
    for index, name in enumerate(names):
        values = [results[name][m] for m in metrics]
        bars = axes.bar([m + index * width for m in range(len(metrics))], values, width, label=name)
        axes.bar_label(bars, fmt="%.2f", fontsize=7)
    axes.set_xticks([m + width * (len(names) - 1) / 2 for m in range(len(metrics))], metrics)
    axes.set_ylim(0, 1.05)
    axes.set_title("Retrieval on the gold set (answerable questions)")
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def tune(assistant: Assistant, items: list[Item]) -> None:
    """Grid over pool size, RRF constant, lexical and listed-question weights; prints Recall@5 and MRR@10."""
    cache: dict[str, object] = {}
    encode = assistant.embedder.encode_queries
    assistant.embedder.encode_queries = lambda texts: [cache.setdefault(t, encode([t])[0]) for t in texts]
    print("pool rrf_k lexical_weight question_weight  R@5    MRR@10")
    grid = itertools.product((20, 40, 80), (10, 30, 60), (0.5, 1.0, 1.5), (0.0, 0.25, 0.5, 1.0))
    for pool, rrf_k, weight, questions in grid:
        system = Project(assistant, "t", 1.0, weight, pool=pool, rrf_k=rrf_k, question_weight=questions)
        summary = summarize(run(system, items))
        print(f"{pool:4d} {rrf_k:5d} {weight:14.2f} {questions:15.2f}  {summary['R@5']:.3f}  {summary['MRR@10']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tune", action="store_true", help="grid-search fusion parameters instead")
    parser.add_argument("--only", choices=["retrieval", "answers"], help="run one part")
    args = parser.parse_args()
    assistant = Assistant()
    assistant.ensure_index()
    items = [item for item in load_items() if item.answerable]
    if args.tune:
        tune(assistant, items)
        return
    RESULTS.mkdir(exist_ok=True)
    if args.only != "retrieval":
        gold = load_items()
        answer_report = answers.report(
            answers.evaluate(assistant, gold),
            answers.evaluate(assistant, gold, answers.gold_lead(assistant)),
            answers.evaluate(assistant, load_items(HOLDOUT_DIR)),
        )
        (RESULTS / "answers.md").write_text(answer_report, encoding="utf-8")
        print(answer_report)
    if args.only == "answers":
        return
    systems = [
        Project(assistant, "hybrid (project)"),
        Project(assistant, "dense only", 1.0, 0.0),
        Project(assistant, "lexical only", 0.0, 1.0),
        NaiveRecipe(assistant),
    ]
    for system in systems:  # warm-up: models, lexical index, Chroma caches
        system.search("warm up", [])
    rows = {system.name: run(system, items) for system in systems}
    held_out = [item for item in load_items(HOLDOUT_DIR) if item.answerable]
    held_out_rows = run(systems[0], held_out)
    single = [item for item in items if not item.follow_up]
    language = {}
    for system in systems[:3]:
        language[f"{system.name}: same-language evidence"] = run(
            system, single, lambda item: Filters(langs=SAME_LANGUAGE[item.lang])
        )
        language[f"{system.name}: cross-language evidence"] = run(
            system, single, lambda item: Filters(langs=OTHER_LANGUAGE[item.lang])
        )
    results = {name: summarize(r) for name, r in rows.items()}
    r1_intervals = {
        name: interval([[recall_at(row["ranks"], 1)] for row in group])
        for name, group in (("gold set", rows["hybrid (project)"]), ("held-out", held_out_rows))
    }
    report = [
        "# Retrieval evaluation",
        "",
        f"`python -m evals` on {len(items)} answerable gold questions ({sum(i.follow_up for i in items)} "
        "multi-turn follow-ups) from `evals/gold/`. A hit is relevant when it is in a gold document and covers a "
        "gold article or section; the project's retriever gives each article one slot. Latency is per query on "
        "this machine, excluding model load.",
        "",
        table("Systems", rows),
        table("The project's retriever by slice", slices(rows["hybrid (project)"])),
        f"Held-out: {len(held_out)} answerable questions from `evals/holdout/`, written from kb/ by a writer who saw "
        "neither the gold set nor the bot; no threshold or weight was tuned on them.\n",
        table("Gold set vs held-out questions", {"gold set": rows["hybrid (project)"], "held-out": held_out_rows}),
        "R@1 95% intervals (2,000 bootstrap resamples of the questions): "
        + ", ".join(f"{name} {low:.3f}–{high:.3f}" for name, (low, high) in r1_intervals.items())
        + ".\n",
        "Cross-language: the same questions answered only from evidence in the other language (Chinese-only "
        "passages for English questions, English passages for Chinese ones), against evidence in the question's "
        "language.\n",
        table("Same- vs cross-language evidence", language),
        "![Retrieval chart](retrieval.png)",
        "",
    ]
    (RESULTS / "retrieval.md").write_text("\n".join(report), encoding="utf-8")
    chart(results, RESULTS / "retrieval.png")
    print("\n".join(report))


if __name__ == "__main__":
    main()
