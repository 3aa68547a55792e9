"""The Gradio chat: a thin face over ``Assistant.ask``; all answering happens in the service."""

import html
import json

import gradio as gr

from bot.service import Assistant

TITLE = "Live-commerce policy assistant · 直播带货政策助手"
INTRO = (
    "Ask about the rules for live-streaming e-commerce in China, or about the research paper, in English or "
    "Chinese. Every answer quotes and cites its sources. · 用中文或英文提问，每个回答都注明出处。"
)
EXAMPLES = [
    "Can I use an AI virtual host in my live room?",
    "主播夸大宣传谁负责？",
    "Must I accept a return 5 days after delivery without a reason?",
    "买到假货能要求几倍赔偿？",
]


def sources_markdown(citations: list[dict]) -> str:
    if not citations:
        return ""
    lines = ["**Sources · 来源**"]
    for citation in citations:
        link = f" · [official text]({citation['url']})" if citation.get("url", "").startswith("http") else ""
        lines.append(
            f"[{citation['n']}] **{html.escape(citation['title'])}** · {citation['locator']}{link}\n"
            f"> {html.escape(citation['quote'])}"
        )
    return "\n\n".join(lines)


def build(assistant: Assistant) -> gr.Blocks:
    def respond(message: str, history: list[dict]):
        message = (message or "").strip()
        if not message:
            return history, "", gr.update()
        earlier = [{"role": turn["role"], "content": _text(turn["content"])} for turn in history]
        result = assistant.ask(message, earlier)
        reply = result["answer"] + ("\n\n" + sources_markdown(result["citations"]) if result["citations"] else "")
        reply += f"\n\n_{result['notice']}_" if result.get("notice") else ""
        history = [*history, {"role": "user", "content": message}, {"role": "assistant", "content": reply}]
        return history, "", sources_markdown(result["citations"])

    def ask(question: str, history_json: str = "[]") -> dict:
        """The same JSON as `python -m bot ask --json`."""
        history = json.loads(history_json or "[]")
        return {"question": question, **assistant.ask(question, history)}

    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(f"# {TITLE}\n{INTRO}")
        chat = gr.Chatbot(label="Chat · 对话", height=520, buttons=["copy"])
        box = gr.Textbox(placeholder="Ask a question · 请输入问题", show_label=False, submit_btn=True)
        gr.Examples(EXAMPLES, inputs=box)
        sources = gr.Markdown(elem_id="sources")
        box.submit(respond, [box, chat], [chat, box, sources], api_visibility="private")
        gr.api(ask, api_name="ask")
    return demo


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)
