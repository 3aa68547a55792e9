"""The Gradio app: a chat with inspectable sources, and a knowledge-base manager. A thin face over ``Assistant``.

Each answer is kept as a turn ``{"question", "result"}`` (the ``ask`` JSON), from which the chat message,
the sources panel, the Markdown export and feedback are all derived.
"""

import functools
import hashlib
import logging
import tempfile
from pathlib import Path

import gradio as gr

from bot.filters import PERSONAS, Filters
from bot.loaders import LoadError
from bot.render import TYPE_LABELS, conversation_markdown, reply_markdown, sources_html, type_label
from bot.service import Assistant

log = logging.getLogger(__name__)

TITLE = "Live-commerce policy assistant · 直播带货政策助手"
EXAMPLES = {
    "merchant": [
        "Can I use an AI virtual host in my live room?",
        "Must I accept a return 5 days after delivery without a reason?",
        "直播间要公示哪些信息？",
        "直播卖食品要查验什么？",
    ],
    "student": [
        "What problems of live-streaming e-commerce does the paper identify?",
        "What does the paper propose against false advertising?",
        "论文认为直播带货存在哪些问题？",
        "主播夸大宣传谁负责？",
    ],
    "official": [
        "What penalties apply to faking sales data in a live stream?",
        "What must a live-streaming platform do about high-risk content?",
        "直播营销平台应当履行哪些义务？",
        "买到假货能要求几倍赔偿？",
    ],
}
LABELS = {
    "en": {
        "intro": "Ask about China's rules for live-streaming e-commerce, or about the research paper, in English or "
        "Chinese. Every answer quotes and cites its sources; click [1] to see one.",
        "chat_tab": "Chat",
        "kb_tab": "Knowledge base",
        "persona": "I am a",
        "personas": {"merchant": "Merchant / streamer", "student": "Student", "official": "Official"},
        "persona_info": {
            "merchant": "Searches laws, regulations and platform rules.",
            "student": "Searches everything, the research paper included.",
            "official": "Searches laws, regulations and judicial interpretations.",
        },
        "backend": "Answer backend",
        "backend_info": "extractive: quotes the sources, no LLM",
        "filters": "Source filters",
        "types": "Document types (empty = the persona's default)",
        "docs": "Documents (empty = all)",
        "chat": "Chat",
        "box": "Ask a question, e.g. “Can I livestream-sell health food?”",
        "send": "Send",
        "examples": "Examples",
        "new": "New chat",
        "export": "Export chat (Markdown)",
        "comment": "Comment on your rating (optional)",
        "send_comment": "Send comment",
        "sources": "Sources",
        "catalogue": "Documents in the knowledge base",
        "columns": ["Title", "Chinese title", "Type", "Authority", "In force from", "Chunks", "Status", "ID"],
        "read": "Open a document",
        "delete": "Delete this document",
        "upload": "Add documents (PDF, Markdown, text, HTML)",
        "title": "Title",
        "type": "Type (empty = detect)",
        "authority": "Issuing authority",
        "effective": "In force from (YYYY-MM-DD)",
        "url": "Official URL",
        "ingest": "Add to knowledge base",
        "ui_lang": "Interface",
        "rated": "Thanks, your rating is saved.",
        "rate_first": "Rate an answer with 👍 or 👎 first.",
        "commented": "Thanks, your comment is saved.",
        "error": "Sorry, something went wrong while answering ({}). Please try again or rephrase the question.",
        "empty": "Please type a question.",
        "added": "Added **{}**: {} chunks.",
        "skipped": "Could not add **{}**: {}. Nothing else was changed.",
        "no_file": "Choose a file first.",
        "deleted": "Deleted **{}** ({} chunks).",
        "choose_doc": "Choose a document first.",
    },
    "zh": {
        "intro": "用中文或英文询问中国直播带货的法律法规、平台规则或研究论文。"
        "每个回答都引用并注明出处，点击 [1] 即可查看来源。",
        "chat_tab": "对话",
        "kb_tab": "知识库",
        "persona": "我是",
        "personas": {"merchant": "商家 / 主播", "student": "学生", "official": "监管人员"},
        "persona_info": {
            "merchant": "检索法律、法规和平台规则。",
            "student": "检索全部资料，包括研究论文。",
            "official": "检索法律、法规和司法解释。",
        },
        "backend": "回答方式",
        "backend_info": "extractive：直接摘录来源原文，不使用大模型",
        "filters": "来源筛选",
        "types": "文件类型（留空＝按身份默认）",
        "docs": "文件（留空＝全部）",
        "chat": "对话",
        "box": "请输入问题，例如“直播间能卖保健食品吗？”",
        "send": "发送",
        "examples": "示例问题",
        "new": "新对话",
        "export": "导出对话（Markdown）",
        "comment": "对评价补充说明（可选）",
        "send_comment": "提交说明",
        "sources": "来源",
        "catalogue": "知识库中的文件",
        "columns": ["标题", "中文标题", "类型", "发布机关", "施行日期", "片段数", "状态", "编号"],
        "read": "打开文件",
        "delete": "删除该文件",
        "upload": "添加文件（PDF、Markdown、文本、HTML）",
        "title": "标题",
        "type": "类型（留空＝自动识别）",
        "authority": "发布机关",
        "effective": "施行日期（YYYY-MM-DD）",
        "url": "官方链接",
        "ingest": "加入知识库",
        "ui_lang": "界面语言",
        "rated": "谢谢，评价已保存。",
        "rate_first": "请先用 👍 或 👎 评价一个回答。",
        "commented": "谢谢，说明已保存。",
        "error": "抱歉，回答时出错（{}）。请重试或换个问法。",
        "empty": "请输入问题。",
        "added": "已添加 **{}**：{} 个片段。",
        "skipped": "无法添加 **{}**：{}。其他内容未受影响。",
        "no_file": "请先选择文件。",
        "deleted": "已删除 **{}**（{} 个片段）。",
        "choose_doc": "请先选择文件。",
    },
}
PROGRESS = gr.Progress()  # Gradio injects a live progress bar into a handler that has one as a default
KEEP = gr.update()
STATUS = {"digest": ("digest", "摘要"), "official_text": ("official text", "官方文本")}

CSS = """
#sources { max-height: 78vh; overflow-y: auto; }
.source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 8px 0; }
.source.flash { animation: flash 1.6s ease-out; }
@keyframes flash { from { background: #fde68a; } to { background: transparent; } }
.source-head { display: flex; gap: 6px; align-items: baseline; flex-wrap: wrap; }
.source .n { font-weight: 700; }
.source .title { font-weight: 600; }
.source .title-zh { color: var(--body-text-color-subdued); }
.source .meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 2px 0 6px; }
.source .passage { font-size: 0.9em; max-height: 12em; overflow-y: auto; border-left: 3px solid #d1d5db;
  padding-left: 8px; }
.source mark { background: #fef08a; }
.badge { font-size: 0.75em; padding: 1px 6px; border-radius: 9px; color: #fff; background: #6b7280; }
.badge-law { background: #b91c1c; } .badge-regulation { background: #c2410c; }
.badge-judicial_interpretation { background: #7c3aed; } .badge-platform_rule { background: #0369a1; }
.badge-paper { background: #047857; }
.turn-head { font-weight: 600; margin-top: 10px; }
a.cite { text-decoration: none; font-weight: 600; }
"""
# Clicking an [n] marker scrolls its source into view and flashes it (the chat renders markers as #src- links).
HEAD = """<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest('a[href^="#src-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const card = document.getElementById(link.getAttribute("href").slice(1));
  if (!card) return;
  card.scrollIntoView({behavior: "smooth", block: "center"});
  card.classList.remove("flash"); void card.offsetWidth; card.classList.add("flash");
}, true);
</script>"""


def _type_choices(lang: str) -> list[tuple[str, str]]:
    return [(type_label(value, lang), value) for value in TYPE_LABELS]


def _persona_choices(lang: str) -> list[tuple[str, str]]:
    return [(LABELS[lang]["personas"][value], value) for value in PERSONAS]


def build(assistant: Assistant) -> gr.Blocks:
    backends = list(assistant.answerers)

    def doc_choices(infos: list | None = None) -> list[tuple[str, str]]:
        return [(info.title, info.doc_id) for info in (assistant.documents() if infos is None else infos)]

    def catalogue_rows(lang: str, infos: list | None = None) -> list[list]:
        index = 0 if lang == "en" else 1
        return [
            [
                info.title,
                info.title_zh,
                type_label(info.doc_type, lang),
                info.authority,
                info.effective,
                info.chunks,
                STATUS.get(info.status, (info.status, info.status))[index],
                info.doc_id,
            ]
            for info in (assistant.documents() if infos is None else infos)
        ]

    def respond(message, chat, turns, persona, backend, types, docs, lang):
        message = (message or "").strip()
        if not message:
            gr.Info(LABELS[lang]["empty"])
            yield chat, turns, gr.update(), message, gr.update()
            return
        earlier = [message for turn in turns for message in _messages(turn)]
        chat = [*chat, {"role": "user", "content": message}, {"role": "assistant", "content": "…"}]
        yield chat, turns, gr.update(), "", gr.update()
        filters = Filters(doc_types=tuple(types or ()), doc_ids=tuple(docs or ()))
        written = ""
        try:
            for part in assistant.stream(message, earlier, filters, persona, backend):
                if isinstance(part, str):
                    written += part
                    chat[-1] = {"role": "assistant", "content": written}
                    yield chat, turns, gr.update(), "", gr.update()
                else:
                    result = part
        except Exception as error:  # noqa: BLE001 - the user sees a friendly message, the log keeps the trace
            log.exception("answering %r failed", message)
            chat[-1] = {"role": "assistant", "content": LABELS[lang]["error"].format(type(error).__name__)}
            yield chat, turns, gr.update(), "", gr.update()
            return
        turns = [*turns, {"question": message, "result": result}]
        chat[-1] = {"role": "assistant", "content": reply_markdown(result, len(turns), result["lang"])}
        yield chat, turns, sources_html(turns, lang), "", _export(turns, lang)

    def new_chat(lang):
        return [], [], sources_html([], lang), "", None, None, ""

    def on_persona(persona, lang):
        questions = EXAMPLES[persona]
        return [gr.update(value=q) for q in questions] + [gr.update(info=LABELS[lang]["persona_info"][persona])]

    def on_like(turns, persona, lang, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        turn = turns[int(index) // 2]
        result = turn["result"]
        feedback_id = assistant.feedback.record(
            question=turn["question"],
            answer=result["answer"],
            citations=result["citations"],
            rating=1 if data.liked else -1,
            backend=result.get("backend", ""),
            persona=persona or "",
        )
        return feedback_id, gr.update(visible=True), LABELS[lang]["rated"]

    def on_comment(feedback_id, comment, lang):
        if feedback_id is None:
            return comment, LABELS[lang]["rate_first"]
        assistant.feedback.add_comment(feedback_id, comment or "")
        return "", LABELS[lang]["commented"]

    def read_document(doc_id):
        if not doc_id:
            return ""
        sections = assistant.read(doc_id)
        return "\n\n".join(f"#### {s.locator}\n\n{s.text}" for s in sections)

    def delete_document(doc_id, lang):
        if not doc_id:
            return LABELS[lang]["choose_doc"], *refresh_docs(lang)
        title = next((info.title for info in assistant.documents() if info.doc_id == doc_id), doc_id)
        removed = assistant.delete(doc_id)
        return LABELS[lang]["deleted"].format(title, removed), *refresh_docs(lang, None)

    def upload(files, title, doc_type, authority, effective, url, lang, progress=PROGRESS):
        words = LABELS[lang]
        if not files:
            return words["no_file"], *refresh_docs(lang)
        messages, added = [], None
        single = len(files) == 1
        for file in files:
            path = Path(file if isinstance(file, str) else file.name)
            metadata = {"title": title if single else "", "doc_type": doc_type or "", "authority": authority}
            metadata |= {"effective": effective, "url": url}
            try:
                info = assistant.add_document(
                    path, metadata, lambda done, total, stage: progress((done, max(total, 1)), desc=stage)
                )
            except LoadError as error:
                messages.append(words["skipped"].format(path.name, error))
                continue
            messages.append(words["added"].format(info.title, info.chunks))
            added = info.doc_id
        return "\n\n".join(messages), *refresh_docs(lang, added)

    def refresh_docs(lang, selected=KEEP):
        infos = assistant.documents()  # one read of the catalogue for the table and both dropdowns
        choices = doc_choices(infos)
        return (
            gr.update(value=catalogue_rows(lang, infos)),
            gr.update(choices=choices, value=selected),
            gr.update(choices=choices),
        )

    def relabel(lang, persona, turns):
        words = LABELS[lang]
        return [
            gr.update(value=f"# {TITLE}\n{words['intro']}"),
            gr.update(label=words["ui_lang"]),
            gr.update(label=words["chat_tab"]),
            gr.update(label=words["kb_tab"]),
            gr.update(
                label=words["persona"],
                choices=_persona_choices(lang),
                value=persona,
                info=words["persona_info"][persona],
            ),
            gr.update(label=words["backend"], info=words["backend_info"]),
            gr.update(label=words["filters"]),
            gr.update(label=words["types"], choices=_type_choices(lang)),
            gr.update(label=words["docs"]),
            gr.update(label=words["chat"]),
            gr.update(placeholder=words["box"]),
            gr.update(value=words["new"]),
            gr.update(value=words["export"]),
            gr.update(label=words["comment"]),
            gr.update(value=words["send_comment"]),
            gr.update(value=f"### {words['sources']}"),
            sources_html(turns, lang),
            gr.update(value=f"### {words['examples']}"),
            gr.update(label=words["catalogue"], headers=words["columns"], value=catalogue_rows(lang)),
            gr.update(label=words["read"]),
            gr.update(value=words["delete"]),
            gr.update(label=words["upload"]),
            gr.update(label=words["title"]),
            gr.update(label=words["type"], choices=[("", "")] + _type_choices(lang)),
            gr.update(label=words["authority"]),
            gr.update(label=words["effective"]),
            gr.update(label=words["url"]),
            gr.update(value=words["ingest"]),
        ]

    def ask(
        question: str,
        history: list[dict] | None = None,
        persona: str | None = None,
        filters: dict | None = None,
        backend: str | None = None,
    ) -> dict:
        """The same JSON as `python -m bot ask --json`. filters: {"doc_types": [...], "doc_ids": [...]}."""
        try:
            return {
                "question": question,
                **assistant.ask(question, history or [], Filters.from_dict(filters), persona or None, backend),
            }
        except ValueError as error:
            raise gr.Error(str(error)) from None

    en = LABELS["en"]
    with gr.Blocks(title=TITLE) as demo:
        turns = gr.State([])
        feedback_id = gr.State(None)
        with gr.Row(equal_height=True):
            header = gr.Markdown(f"# {TITLE}\n{en['intro']}", elem_id="header")
            ui_lang = gr.Radio(
                [("English", "en"), ("中文", "zh")],
                value="en",
                label=en["ui_lang"],
                scale=0,
                min_width=180,
                elem_id="ui-lang",
            )
        with gr.Tabs():
            with gr.Tab(en["chat_tab"], id="chat-tab") as chat_tab, gr.Row():
                with gr.Column(scale=3):
                    with gr.Row():
                        persona = gr.Radio(
                            _persona_choices("en"),
                            value="merchant",
                            label=en["persona"],
                            info=en["persona_info"]["merchant"],
                            elem_id="persona",
                        )
                        backend = gr.Dropdown(
                            backends,
                            value=assistant.backend,
                            label=en["backend"],
                            info=en["backend_info"],
                            interactive=len(backends) > 1,
                            elem_id="backend",
                        )
                    with gr.Accordion(en["filters"], open=False) as filters_box:
                        types = gr.CheckboxGroup(_type_choices("en"), label=en["types"], elem_id="types")
                        docs = gr.Dropdown(doc_choices(), multiselect=True, label=en["docs"], elem_id="docs")
                    chat = gr.Chatbot(label=en["chat"], height=520, buttons=["copy"], elem_id="chat")
                    box = gr.Textbox(placeholder=en["box"], show_label=False, submit_btn=True, elem_id="question")
                    examples_title = gr.Markdown(f"### {en['examples']}")
                    with gr.Row():
                        example_buttons = [
                            gr.Button(q, size="sm", variant="secondary", elem_classes="example")
                            for q in EXAMPLES["merchant"]
                        ]
                    with gr.Row():
                        new = gr.Button(en["new"], elem_id="new-chat")
                        export = gr.DownloadButton(en["export"], value=None, elem_id="export")
                    with gr.Row(visible=False) as comment_row:
                        comment = gr.Textbox(label=en["comment"], scale=4, elem_id="comment")
                        send_comment = gr.Button(en["send_comment"], scale=1, elem_id="send-comment")
                    note = gr.Markdown(elem_id="note")
                with gr.Column(scale=2):
                    sources_title = gr.Markdown(f"### {en['sources']}")
                    sources = gr.HTML(sources_html([], "en"), elem_id="sources")
            with gr.Tab(en["kb_tab"], id="kb-tab") as kb_tab:
                catalogue = gr.Dataframe(
                    catalogue_rows("en"),
                    headers=en["columns"],
                    label=en["catalogue"],
                    interactive=False,
                    wrap=True,
                    max_height=420,
                    column_widths=["26%", "18%", "11%", "17%", "9%", "6%", "7%", "6%"],
                    elem_id="catalogue",
                )
                with gr.Row():
                    reader_doc = gr.Dropdown(doc_choices(), label=en["read"], elem_id="reader-doc", scale=4)
                    delete = gr.Button(en["delete"], variant="stop", scale=1, elem_id="delete")
                reader = gr.Markdown(elem_id="reader")
                with gr.Group():
                    files = gr.File(
                        label=en["upload"],
                        file_count="multiple",
                        file_types=[".pdf", ".md", ".markdown", ".txt", ".html", ".htm"],
                        elem_id="upload",
                    )
                    with gr.Row():
                        title = gr.Textbox(label=en["title"], elem_id="upload-title")
                        doc_type = gr.Dropdown(
                            [("", "")] + _type_choices("en"), value="", label=en["type"], elem_id="upload-type"
                        )
                        authority = gr.Textbox(label=en["authority"], elem_id="upload-authority")
                        effective = gr.Textbox(label=en["effective"], elem_id="upload-effective")
                        url = gr.Textbox(label=en["url"], elem_id="upload-url")
                    ingest = gr.Button(en["ingest"], variant="primary", elem_id="ingest")
                upload_note = gr.Markdown(elem_id="upload-note")

        answer_io = [chat, turns, sources, box, export]
        ask_inputs = [box, chat, turns, persona, backend, types, docs, ui_lang]
        box.submit(respond, ask_inputs, answer_io, api_visibility="private")
        for button in example_buttons:
            button.click(lambda q: q, button, box, api_visibility="private").then(
                respond, ask_inputs, answer_io, api_visibility="private"
            )
        new.click(new_chat, ui_lang, [chat, turns, sources, box, export, feedback_id, note], api_visibility="private")
        persona.change(on_persona, [persona, ui_lang], [*example_buttons, persona], api_visibility="private")
        chat.like(on_like, [turns, persona, ui_lang], [feedback_id, comment_row, note], api_visibility="private")
        send_comment.click(on_comment, [feedback_id, comment, ui_lang], [comment, note], api_visibility="private")
        reader_doc.change(read_document, reader_doc, reader, api_visibility="private")
        doc_outputs = [catalogue, reader_doc, docs]
        delete.click(delete_document, [reader_doc, ui_lang], [upload_note, *doc_outputs], api_visibility="private")
        ingest.click(
            upload,
            [files, title, doc_type, authority, effective, url, ui_lang],
            [upload_note, *doc_outputs],
            api_visibility="private",
        )
        ui_lang.change(
            relabel,
            [ui_lang, persona, turns],
            [
                header,
                ui_lang,
                chat_tab,
                kb_tab,
                persona,
                backend,
                filters_box,
                types,
                docs,
                chat,
                box,
                new,
                export,
                comment,
                send_comment,
                sources_title,
                sources,
                examples_title,
                catalogue,
                reader_doc,
                delete,
                files,
                title,
                doc_type,
                authority,
                effective,
                url,
                ingest,
            ],
            api_visibility="private",
        )
        gr.api(ask, api_name="ask")
    return demo


def launch(demo: gr.Blocks, host: str, port: int) -> None:
    demo.launch(server_name=host, server_port=port, show_error=False, css=CSS, head=HEAD, footer_links=["api"])


@functools.cache
def _exports() -> tempfile.TemporaryDirectory:
    """One folder for the process's chat exports, removed when the app exits."""
    return tempfile.TemporaryDirectory(prefix="chat-exports-")


def _export(turns: list[dict], lang: str) -> str:
    """The chat as a Markdown file for the download button (rewritten after every answer). Its folder is named
    by the content, so two sessions never overwrite each other's file before Gradio copies it."""
    text = conversation_markdown(turns, lang)
    path = Path(_exports().name) / hashlib.sha1(text.encode()).hexdigest()[:16] / "live-commerce-chat.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def _messages(turn: dict) -> list[dict]:
    """A stored turn as the history messages ``Assistant.ask`` takes."""
    return [{"role": "user", "content": turn["question"]}, {"role": "assistant", "content": turn["result"]["answer"]}]
