"""Sphinx configuration of the peermatch documentation.

Build from the repository root (warnings are errors):

    pip install -e '.[docs]'
    sphinx-build -W -b html docs docs/_build/html

Reference pages (data dictionary, criteria kinds and presets, solvers, command line, API) are
generated from the code at the start of every build by the ``peermatch_docs`` extension in
``_ext/``, into ``_generated/`` (not kept in git).
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document the checkout this file belongs to, installed or not.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_ext"))

import peermatch  # noqa: E402

project = "peermatch"
author = "peermatch maintainers"
copyright = "peermatch maintainers"
release = peermatch.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "peermatch_docs",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "_generated", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []

myst_enable_extensions = ["colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc docstrings give the types
autodoc_default_options = {"exclude-members": "model_config, model_fields, model_computed_fields"}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

html_theme = "alabaster"
html_title = f"peermatch {release}"
html_theme_options = {
    "description": "Match peer support participants with trained peer leaders",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}
html_static_path: list[str] = []
html_show_sourcelink = False
