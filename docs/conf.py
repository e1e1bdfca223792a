"""Sphinx configuration for the aioweb docs (``nox -s docs`` builds with ``-W``)."""

project = "aioweb"
author = "the aioweb contributors"
copyright = "2026, the aioweb contributors"

# No extensions for now: nothing that needs the network, nothing that imports the packages.
extensions: list[str] = []

root_doc = "index"
exclude_patterns = ["_build", "examples"]
html_theme = "alabaster"
highlight_language = "python3"
