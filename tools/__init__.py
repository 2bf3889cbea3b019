"""Developer tools (code generators); not part of the installed package."""
