"""``python -m bff``: the same as the ``bff`` command."""

from bff.cli import main

main()
