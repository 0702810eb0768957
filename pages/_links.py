"""Links between pages: "See cluster" lands on that cluster on Overlaps, which offers the way back."""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from core.wording import escape_markdown

OVERLAPS_PAGE = "pages/overlaps.py"
CLUSTER_PARAM = "cluster"
# Where the person came from: ?back=score&back_integration=INT-014 (back_* are that page's own URL parameters).
BACK_PARAM, BACK_PREFIX = "back", "back_"
BACK_PAGES = {
    "overview": ("pages/overview.py", "Overview"),
    "tco": ("pages/tco.py", "TCO snapshot"),
    "score": ("pages/score.py", "Score"),
    "session": ("pages/session.py", "Diagnostic session"),
}


def see_cluster_link(cluster_id: str, back: str, label: str | None = None, **back_params: str) -> None:
    """A link to ``cluster_id`` on the Overlaps page (opened and scrolled to), remembering the way back."""
    """``label`` is Markdown: escape any id or name in it."""
    st.page_link(OVERLAPS_PAGE, label=label or f"See cluster {escape_markdown(cluster_id)} on Overlaps",
                 icon=":material/arrow_forward:",
                 query_params={CLUSTER_PARAM: cluster_id, BACK_PARAM: back,
                               **{f"{BACK_PREFIX}{name}": value for name, value in back_params.items()}})


def show_back_link() -> None:
    """Overlaps, reached by a "See cluster" link: a link back to the page (and place) the person came from."""
    where = BACK_PAGES.get(st.query_params.get(BACK_PARAM, ""))
    if where is None:
        return
    page, title = where
    params = {name.removeprefix(BACK_PREFIX): value for name, value in st.query_params.to_dict().items()
              if name.startswith(BACK_PREFIX)}
    st.page_link(page, label=f"Back to {title}", icon=":material/arrow_back:", query_params=params or None)


def cluster_block_key(cluster_id: str) -> str:
    """The key of the container holding one cluster on Overlaps (its CSS class is ``st-key-<key>``)."""
    return f"overlaps_cluster_{hashlib.sha1(cluster_id.encode('utf-8')).hexdigest()[:16]}"  # any id, a safe class


def scroll_to_cluster(cluster_id: str) -> None:
    """Scroll the page so the cluster a link asked for is at the top of the screen (once, when it is drawn)."""
    selector = json.dumps(f".st-key-{cluster_block_key(cluster_id)}")
    st.html(f"""<script>
    (() => {{
      let tries = 0;
      const go = () => {{
        const block = document.querySelector({selector});
        if (block) {{ block.scrollIntoView({{block: "start"}}); return; }}
        if (++tries < 50) setTimeout(go, 100);
      }};
      go();
    }})();
    </script>""", unsafe_allow_javascript=True)
