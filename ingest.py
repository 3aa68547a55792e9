"""python ingest.py [PATH ...]: add the knowledge base (default kb/) or other files to the index."""

import argparse
import sys
from pathlib import Path

from bot.ingest import progress_bar
from bot.settings import SettingsError, get_settings
from bot.store import ModelMismatchError, drop_collection


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the kb folder)")
    parser.add_argument("--rebuild", action="store_true", help="drop the index first (after changing the model)")
    args = parser.parse_args()
    try:
        settings = get_settings()
        paths = args.paths or [settings.kb_dir]
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise FileNotFoundError(f"no such file or folder: {', '.join(missing)}")
        if args.rebuild:
            drop_collection(settings)
        from bot.service import Assistant

        assistant = Assistant(settings)
    except (OSError, SettingsError, ModelMismatchError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with progress_bar() as progress:
        report = assistant.ingest(paths, progress)
    print(report.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
