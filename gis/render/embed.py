"""One offline map page inside another page: an ``<iframe srcdoc>`` holding the whole map.

A map page from :func:`gis.render.html.render_html` (offline) carries Leaflet, our
runtime and its data; put in ``srcdoc`` (escaped once, as an attribute value must be)
it shows inside a report or a Jupyter output cell with no sibling file and no network.

>>> print(srcdoc_iframe("<p title='x'>A & B</p>", title="图 <1>", height=300, lazy=False))
<iframe srcdoc="&lt;p title=&#x27;x&#x27;&gt;A &amp; B&lt;/p&gt;" title="图 &lt;1&gt;" style="width:100%;height:300px;border:1px solid #ddd" allowfullscreen></iframe>
"""

from __future__ import annotations

import html


def srcdoc_iframe(page: str, *, title: str, height: int = 560, lazy: bool = True) -> str:
    """An ``<iframe>`` whose ``srcdoc`` is ``page`` (escaped); ``lazy`` defers loading until
    the frame is shown (e.g. a closed ``<details>`` in a report with several maps)."""
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" title="{html.escape(title)}" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #ddd" allowfullscreen'
        + (' loading="lazy"' if lazy else "")
        + "></iframe>"
    )
