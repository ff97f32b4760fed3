"""Every Altair chart of the dashboard: the shared base and palette, and each page's charts.

``ui.charts.base`` holds what every chart shares (palette, theme, Vega-Lite conversion,
curves with gaps, the tangent); ``ui.charts.<page>`` the charts of one page. Everything
is re-exported here, so a page writes ``charts.curves(...)`` or ``charts.race_bars(...)``.
"""

from .autodiff import TRACE_STATUS, jit_bars, trace_graph
from .base import (
                   BLUE,
                   DASHES,
                   GREEN,
                   GREY,
                   HEIGHT,
                   ORANGE,
                   PALETTE,
                   PURPLE,
                   SKY,
                   TANGENT,
                   VERMILLION,
                   YELLOW,
                   clipped,
                   clipped_counts,
                   colour_scale,
                   curves,
                   dash_of,
                   named_scale,
                   robust_domain,
                   scales_differ,
                   sendable,
                   tangent_overlay,
                   tangent_table,
                   to_vega_lite,
                   with_segments,
)
from .numerical import SCHEME_COLOURS, convergence_chart, cost_bars, error_along_x, secant_chart, step_error_chart
from .race import RACE_DASHED, RACE_METHODS, RACE_PHASES, claims_chart, race_bars, race_scaling
from .symbolic import swell_lines

__all__ = [
    "BLUE", "GREEN", "GREY", "HEIGHT", "ORANGE", "PALETTE", "PURPLE", "SKY", "VERMILLION", "YELLOW",
    "DASHES", "TANGENT", "clipped", "clipped_counts", "dash_of", "scales_differ", "tangent_table",
    "colour_scale", "curves", "named_scale", "robust_domain", "tangent_overlay", "to_vega_lite", "sendable",
    "with_segments",
    "SCHEME_COLOURS", "convergence_chart", "cost_bars", "error_along_x", "secant_chart", "step_error_chart",
    "TRACE_STATUS", "jit_bars", "trace_graph",
    "RACE_DASHED", "RACE_METHODS", "RACE_PHASES", "claims_chart", "race_bars", "race_scaling",
    "swell_lines",
]
