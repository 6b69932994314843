"""The colours that carry a meaning in a chart, for the console and the report alike.

The door window's and the console's arrivals chart showed its bars in blue with the latest slot
amber, while the report drew the same figures in ochre with the peak darker: one chart, two
codes. Both now take these colours (hex strings: the report writes them into PDF and HTML, the
widgets make QColors of them), and both mark the same thing, the busiest slot. Each colour was
picked to read on the report's white paper and on the console's dark panels.
"""

from __future__ import annotations

ARRIVALS = "#b7791f"  # people admitted in a slot: festival amber, dimmed for paper
ARRIVALS_PEAK = "#e8590c"  # the busiest slot, and its count written above it
