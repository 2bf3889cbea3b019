"""``python -m bff.graphql.export [--check]``: write (or check) ``schema/schema.graphql``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bff.graphql.schema import build_schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def current_sdl() -> str:
    return build_schema().as_str().rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed file differs")
    args = parser.parse_args()
    sdl = current_sdl()
    if args.check:
        if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text() != sdl:
            sys.exit(f"{SCHEMA_FILE} is out of date: run python -m bff.graphql.export")
        return
    SCHEMA_FILE.parent.mkdir(exist_ok=True)
    SCHEMA_FILE.write_text(sdl)
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
