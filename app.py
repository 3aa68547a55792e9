"""python app.py: serve the chat (127.0.0.1:7860 by default; BOT_HOST / BOT_PORT change it).

On first start the index is empty, so the knowledge base in kb/ is ingested first, with progress.
"""

import sys

from bot.ingest import progress_bar
from bot.settings import SettingsError, get_settings
from bot.store import ModelMismatchError


def main() -> int:
    try:
        settings = get_settings()
        from bot.service import Assistant

        assistant = Assistant(settings)
    except (OSError, SettingsError, ModelMismatchError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not assistant.collection.count():
        print(f"The index is empty: building it from {settings.kb_dir}/ (first start only).")
        with progress_bar() as progress:
            report = assistant.ensure_index(progress)
        print(report.table())
    # a question the knowledge base answers, so every step runs once: the lexical index is built, the vector indexes
    # are loaded and the everyday example questions embedded (5-6 s for 712), and the first user's question is quick
    assistant.ask("直播间要公示营业执照吗？")
    from bot.ui import build, launch

    launch(build(assistant), settings.host, settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
