"""``python -m bot retrieve|ask``: the stable command-line contract the evaluations rely on."""

import argparse
import json
import sys
from pathlib import Path

from bot.filters import Filters
from bot.render import named_line, related_heading
from bot.settings import SettingsError
from bot.store import ModelMismatchError

HIT_FIELDS = ("doc_id", "doc_type", "title", "locator", "section", "page")


def hit_json(document) -> dict:
    meta = document.metadata
    hit = {"rank": meta["rank"], **{key: meta.get(key) for key in HIT_FIELDS}}
    hit.update(articles=list(meta.get("articles") or []), score=meta["score"], text=document.page_content)
    return {
        key: hit[key]
        for key in ("rank", "doc_id", "doc_type", "title", "locator", "articles", "section", "page", "score", "text")
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("retrieve", "show the passages that match a question"),
        ("ask", "answer a question with cited sources"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("question", nargs="?", help="the question (omit with --batch)")
        command.add_argument("--json", action="store_true", help="print JSON instead of text")
        command.add_argument("--batch", type=Path, help="JSONL file of {id, question, history?}: one JSON line each")
        command.add_argument("--history", type=Path, help='JSON file of earlier turns [{"role", "content"}]')
        command.add_argument("--doc-type", action="append", default=[], help="only this document type (repeatable)")
        command.add_argument("--doc-id", action="append", default=[], help="only this document (repeatable)")
        command.add_argument(
            "--lang",
            action="append",
            default=[],
            choices=["zh", "en", "zh+en"],
            help="only passages in this language (repeatable)",
        )
        command.add_argument(
            "--persona",
            choices=["merchant", "student", "official"],
            help="preset filters: merchant = rules only, official = laws and regulations",
        )
        if name == "retrieve":
            command.add_argument("--k", type=int, default=10, help="how many passages (default 10)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.question and not args.batch:
        print("error: give a QUESTION or --batch FILE", file=sys.stderr)
        return 2
    try:
        history = json.loads(args.history.read_text(encoding="utf-8")) if args.history else []
        jobs = _read_batch(args.batch) if args.batch else [{"id": None, "question": args.question, "history": history}]
        from bot.service import Assistant

        assistant = Assistant()
    except (OSError, ValueError, SettingsError, ModelMismatchError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    filters = Filters(tuple(args.doc_type), tuple(args.doc_id), tuple(args.lang))
    for job in jobs:
        if args.command == "retrieve":
            hits = assistant.retrieve(job["question"], args.k, filters, job.get("history"), args.persona)
            result = {"question": job["question"], "hits": [hit_json(doc) for doc in hits]}
        else:
            result = {
                "question": job["question"],
                **assistant.ask(job["question"], job.get("history"), filters, args.persona),
            }
        if args.batch:
            result = {"id": job["id"], **result}
        print(
            json.dumps(result, ensure_ascii=False, indent=None if args.batch else 2)
            if args.json or args.batch
            else _readable(args.command, result)
        )
    return 0


def _read_batch(path: Path) -> list[dict]:
    jobs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            job = json.loads(line)
            if not isinstance(job, dict) or "question" not in job:
                raise ValueError(f"{path}:{number}: each line needs a JSON object with a 'question'")
            jobs.append({"id": job.get("id", number), "question": job["question"], "history": job.get("history", [])})
    return jobs


def _readable(command: str, result: dict) -> str:
    if command == "retrieve":
        return (
            "\n\n".join(
                f"{hit['rank']}. [{hit['score']:.3f}] {hit['title']} · {hit['locator']}\n   "
                + hit["text"][:300].replace("\n", "\n   ")
                for hit in result["hits"]
            )
            or "(no passages)"
        )
    sources = [f"[{c['n']}] {c['title']} · {c['locator']}\n    “{c['quote']}”" for c in result["citations"]]
    related = [named_line(c, result["lang"], quoted=True) for c in result.get("related") or []]
    notice = [result["notice"]] if result.get("notice") else []
    return "\n\n".join(
        [
            result["answer"],
            *(["Sources:", *sources] if sources else []),
            *([related_heading(result, result["lang"]) + "\n" + "\n".join(related)] if related else []),
            *notice,
        ]
    )
