#!/usr/bin/env python3
"""Duration and cost against memory size, as AWS Lambda Power Tuning shows them: prices, the
cost of one run, a markdown table, an SVG chart and the memory size the figures recommend.

Pure and standard-library only: bench/run.py measures, this module only turns measured figures
into money, text and a picture. It never fills in a figure that was not measured: a size
without a point is a gap in the chart and "not measured" in the table.

  bench/power.py results.json --svg docs/power.svg --table

`results` (or results.json) has this shape; a point may be missing, other keys are ignored:

  {"workloads": [{"name": "200 named buckets",
                  "points": [{"memory_mb": 128, "duration_ms": 812.0, "cpu_s": 0.05,
                              "peak_rss_mb": 18.2}, ...]}, ...]}
"""
import argparse
import json
import math
import sys
from pathlib import Path
from xml.sax.saxutils import escape

# AWS Lambda on arm64 (Graviton), US East (N. Virginia), first duration tier (the first 7.5
# billion GB-seconds a month), on-demand, free tier left out. Published on
# https://aws.amazon.com/lambda/pricing/ ("Arm Price"), read 2026-12-03. That page draws its
# price tables client-side and the copies of it at hand showed no figures, so these are from
# transcriptions that agree with each other: Artillery's lib/platform/aws-lambda/prices.js
# (arm64 base 1333340e-11 per GB-s, citing that page), cloudchipr.com's pricing guide and
# lambda_local_runner's cost notes ($0.0000133334 per GB-s, $0.20 per 1M requests).
# The tiers are those of the AWS Compute Blog's "Introducing tiered pricing for AWS Lambda".
PRICE_PER_GB_SECOND = 0.0000133334
PRICE_PER_REQUEST = 0.20 / 1_000_000
PRICING_SOURCE = ("AWS Lambda arm64, US East (N. Virginia), first tier: $0.0000133334 per "
                  "GB-second and $0.20 per 1M requests, duration rounded up to 1 ms "
                  "(the arm64 prices of https://aws.amazon.com/lambda/pricing/, as transcribed by "
                  "Artillery's prices.js and cloudchipr.com on 2026-12-03; check the live page)")
# "At 1,769 MB, a function has the equivalent of one vCPU (one vCPU-second of credits per
# second)": https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
ONE_VCPU_MB = 1769
MB_PER_GB = 1024
# The sizes the bench's --power mode measures: the chart's categories, in this order.
MEMORY_SIZES_MB = (128, 256, 512, 1024, 1769)
TYPICAL = "200 named buckets"
LARGE = "1,000-account organization"
# A duration within this factor of the fastest size's counts as "as fast" (choose_memory).
TOLERANCE = 1.10


def billed_ms(duration_ms):
    """Lambda's billed duration: rounded up to the nearest 1 ms (never below 1 ms)."""
    return max(1, math.ceil(duration_ms))


def cost_per_run(memory_mb, duration_ms):
    """Dollars for one invocation: billed GB-seconds (GB = MB / 1024) plus one request."""
    gb_seconds = memory_mb / MB_PER_GB * billed_ms(duration_ms) / 1000
    return gb_seconds * PRICE_PER_GB_SECOND + PRICE_PER_REQUEST


def cpu_share(memory_mb):
    """The share of one vCPU Lambda gives a function of this size (1,769 MB is one vCPU)."""
    return memory_mb / ONE_VCPU_MB


def measured(workload):
    """{memory_mb: point} of the points that carry a duration; a point without one is a gap.
    A duration that is not a positive number is a broken result, not a gap: ValueError."""
    points = {}
    for point in workload.get("points", []):
        duration = point.get("duration_ms")
        if duration is None:
            continue
        if isinstance(duration, bool) or not isinstance(duration, (int, float)) \
                or not duration > 0:
            raise ValueError(f"{workload.get('name')!r} at {point.get('memory_mb')} MB: "
                             f"duration_ms {duration!r} is not a positive number")
        points[int(point["memory_mb"])] = point
    return points


def sizes(results):
    """The chart's categories: the standard sizes and any other measured one, ascending."""
    found = {size for workload in results.get("workloads", []) for size in measured(workload)}
    return sorted(found.union(MEMORY_SIZES_MB))


def _optional(point, key, spec):
    value = point.get(key)
    return "—" if value is None else format(value, spec)


def _table_row(name, size, point):
    """One markdown row: a measured point with its cost, or a size marked not measured."""
    name = name.replace("|", "\\|")
    if point is None:
        return f"| {name} | {size} | {cpu_share(size):.3f} | not measured | | | | | |"
    duration = point["duration_ms"]
    cost = cost_per_run(size, duration)
    return (f"| {name} | {size} | {cpu_share(size):.3f} | {duration:,.1f} | "
            f"{billed_ms(duration):,} | {cost * 1e6:.3f} | {cost * 1000:.4g} | "
            f"{_optional(point, 'cpu_s', '.3f')} | {_optional(point, 'peak_rss_mb', '.1f')} |")


def power_table(results):
    """The figures as markdown table rows (header first), one row per workload and size."""
    rows = ["| Workload | Memory (MB) | vCPU share | Duration (ms) | Billed (ms) | "
            "Cost per run (µUSD) | Cost per 1,000 runs (USD) | CPU (s) | Peak RSS (MB) |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for workload in results.get("workloads", []):
        points = measured(workload)
        for size in sizes(results):
            rows.append(_table_row(workload["name"], size, points.get(size)))
    return rows


# The chart: 800 x 450, the plot area inside these bounds, the legend below it.
WIDTH, HEIGHT = 800, 450
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 86, 700, 58, 318
# An axis whose values span more than this factor is drawn on a log scale.
LOG_RATIO = 10
COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def _nice_step(raw):
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def axis_scale(values):
    """(log, low, high, ticks) for these positive values: a log scale over whole decades when
    they span more than LOG_RATIO, else a linear one from 0 with about five round steps."""
    if not values:
        return False, 0.0, 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]
    low, high = min(values), max(values)
    if high / low > LOG_RATIO:
        first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
        steps = (1,) if last - first > 3 else (1, 2, 5)
        ticks = [m * 10.0 ** d for d in range(first, last + 1) for m in steps
                 if m * 10.0 ** d <= 10.0 ** last]
        return True, 10.0 ** first, 10.0 ** last, ticks
    step = _nice_step(high / 5)
    top = step * math.ceil(high * 1.05 / step)
    return False, 0.0, top, [step * i for i in range(round(top / step) + 1)]


def _y(scale, value):
    """The pixel row of a value on a scale from axis_scale."""
    log, low, high, _ = scale
    if log:
        fraction = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))
    else:
        fraction = (value - low) / (high - low)
    return PLOT_BOTTOM - fraction * (PLOT_BOTTOM - PLOT_TOP)


def _x(index, count):
    """The pixel column of the index-th of count categories (each in the middle of its band)."""
    return PLOT_LEFT + (index + 0.5) * (PLOT_RIGHT - PLOT_LEFT) / count


def _label(value):
    """A tick label: thousands separated, no needless decimals."""
    return f"{value:,.0f}" if value >= 10 else f"{value:g}"


def _text(x, y, content, anchor="middle", size=12, extra=""):
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"'
            f'{extra}>{escape(content)}</text>')


def _series(results):
    """Per workload and size: (workload index, name, kind, [(category, value) or None]).
    kind is "duration" (ms) or "cost" (micro-dollars per run)."""
    categories = sizes(results)
    series = []
    for index, workload in enumerate(results.get("workloads", [])):
        points = measured(workload)
        durations = [points[s]["duration_ms"] if s in points else None for s in categories]
        costs = [cost_per_run(s, d) * 1e6 if d is not None else None
                 for s, d in zip(categories, durations)]
        series.append((index, workload["name"], "duration", durations))
        series.append((index, workload["name"], "cost", costs))
    return series


def _path(values, scale, count):
    """An SVG path through the measured values: a missing one ends a run, the next starts a
    new subpath (M), so a gap stays a gap."""
    commands, pen_down = [], False
    for index, value in enumerate(values):
        if value is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{_x(index, count):.1f},"
                        f"{_y(scale, value):.1f}")
        pen_down = True
    return " ".join(commands)


def _marker(kind, x, y, colour, tip):
    """A circle for a duration, a hollow square for a cost, each with its figure as a tip."""
    tip = f"<title>{escape(tip)}</title>"
    if kind == "duration":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">{tip}</circle>'
    return (f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="white" '
            f'stroke="{colour}" stroke-width="2">{tip}</rect>')


def _draw_series(entry, scale, categories):
    """One series: its line (dashed for cost) and a marker on every measured point."""
    index, name, kind, values = entry
    colour = COLOURS[index % len(COLOURS)]
    dash = ' stroke-dasharray="7,4"' if kind == "cost" else ""
    parts = [f'<path class="series {kind}" d="{_path(values, scale, len(categories))}" '
             f'fill="none" stroke="{colour}" stroke-width="2.2"{dash}/>']
    unit = "ms" if kind == "duration" else "µUSD per run"
    for position, value in enumerate(values):
        if value is not None:
            tip = f"{name}, {categories[position]} MB: {value:,.3g} {unit}"
            parts.append(_marker(kind, _x(position, len(categories)), _y(scale, value),
                                 colour, tip))
    return parts


def _y_axis(scale, name, unit, left):
    """A vertical axis: ticks and labels (with grid lines on the left, duration's side), and
    a title that says the unit and whether the scale is a log."""
    x1, x2, stroke, label_x, anchor, title_x, angle = (
        (PLOT_LEFT, PLOT_RIGHT, "#e4e4e4", PLOT_LEFT - 6, "end", 22, -90) if left
        else (PLOT_RIGHT, PLOT_RIGHT + 5, "#444", PLOT_RIGHT + 8, "start", WIDTH - 24, 90))
    parts = []
    for tick in scale[3]:
        y = _y(scale, tick)
        parts.append(f'<line x1="{x1}" y1="{y:.1f}" x2="{x2}" y2="{y:.1f}" stroke="{stroke}"/>')
        parts.append(_text(label_x, y + 4, _label(tick), anchor, 11))
    title = f"{name} ({unit}{', log scale' if scale[0] else ''})"
    middle = (PLOT_TOP + PLOT_BOTTOM) / 2
    parts.append(_text(title_x, middle, title, size=13,
                       extra=f' transform="rotate({angle} {title_x} {middle:.1f})"'))
    return parts


def _x_axis(categories):
    """The categorical memory axis: one label per size."""
    parts = [f'<rect x="{PLOT_LEFT}" y="{PLOT_TOP}" width="{PLOT_RIGHT - PLOT_LEFT}" '
             f'height="{PLOT_BOTTOM - PLOT_TOP}" fill="none" stroke="#444"/>']
    for index, size in enumerate(categories):
        x = _x(index, len(categories))
        parts.append(f'<line x1="{x:.1f}" y1="{PLOT_BOTTOM}" x2="{x:.1f}" '
                     f'y2="{PLOT_BOTTOM + 5}" stroke="#444"/>')
        parts.append(_text(x, PLOT_BOTTOM + 19, f"{size:,}", size=12))
    parts.append(_text((PLOT_LEFT + PLOT_RIGHT) / 2, PLOT_BOTTOM + 40, "Memory size (MB)",
                       size=13))
    return parts


def _legend(series):
    """One row per workload: its name, its duration line (solid) and its cost line (dashed)."""
    parts, top = [], PLOT_BOTTOM + 62
    for row, (index, name, kind, _) in enumerate(s for s in series if s[2] == "duration"):
        colour, y = COLOURS[index % len(COLOURS)], top + row * 20
        parts.append(_text(PLOT_LEFT, y + 4, name, "start", 12))
        for x, what, dash in ((PLOT_LEFT + 300, "duration", ""),
                              (PLOT_LEFT + 440, "cost per run", ' stroke-dasharray="7,4"')):
            parts.append(f'<line x1="{x}" y1="{y}" x2="{x + 30}" y2="{y}" stroke="{colour}" '
                         f'stroke-width="2.2"{dash}/>')
            parts.append(_text(x + 38, y + 4, what, "start", 12))
    return parts


def render_svg(results, title):
    """A self-contained SVG (800 x 450, no fonts or scripts from outside) of duration (left
    axis, solid lines, dots) and cost per run (right axis, dashed lines, squares) against
    memory size, one colour per workload. An axis whose values span more than LOG_RATIO is
    logarithmic and says so; a size without a figure is a gap in its line."""
    categories, series = sizes(results), _series(results)
    durations = [v for s in series if s[2] == "duration" for v in s[3] if v is not None]
    costs = [v for s in series if s[2] == "cost" for v in s[3] if v is not None]
    left, right = axis_scale(durations), axis_scale(costs)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" fill="#222">',
             f"<title>{escape(title)}</title>",
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
             _text(WIDTH / 2, 26, title, size=17, extra=' font-weight="bold"'),
             _text(WIDTH / 2, 44, "Lambda arm64, US East (N. Virginia) prices: "
                   "billed duration (rounded up to 1 ms) plus one request", size=11)]
    parts += (_y_axis(left, "Duration", "ms", True)
              + _y_axis(right, "Cost per run", "µUSD", False) + _x_axis(categories))
    if not durations:
        parts.append(_text((PLOT_LEFT + PLOT_RIGHT) / 2, (PLOT_TOP + PLOT_BOTTOM) / 2,
                           "no measurements", size=14))
    for entry in series:
        parts += _draw_series(entry, left if entry[2] == "duration" else right, categories)
    parts += _legend(series)
    return "\n".join(parts + ["</svg>"]) + "\n"


def _cheapest_within(workload, tolerance):
    """(chosen size, its point, fastest size, its point) by choose_memory's rule, or None."""
    points = measured(workload)
    if not points:
        return None
    fastest = min(points, key=lambda s: (points[s]["duration_ms"], s))
    limit = points[fastest]["duration_ms"] * tolerance
    within = [s for s in points if points[s]["duration_ms"] <= limit]
    chosen = min(within, key=lambda s: (cost_per_run(s, points[s]["duration_ms"]), s))
    return chosen, points[chosen], fastest, points[fastest]


def _reason(name, tolerance, found):
    """A sentence from the figures that led to a choice."""
    if found is None:
        return f"{name}: not measured, no size chosen."
    chosen, point, fastest, fast = found
    duration, best = point["duration_ms"], fast["duration_ms"]
    cost = cost_per_run(chosen, duration)
    if chosen == fastest:
        return (f"{name}: {chosen} MB is the fastest ({duration:,.0f} ms, ${cost:.3g} per run) "
                f"and no cheaper size is within {tolerance:.2f} × of it.")
    return (f"{name}: {chosen} MB takes {duration:,.0f} ms, {duration / best:.2f} × the "
            f"fastest ({best:,.0f} ms at {fastest} MB), within {tolerance:.2f} ×, and at "
            f"${cost:.3g} per run it is the cheapest size that close.")


def choose_memory(results, typical=TYPICAL, large=LARGE, tolerance=TOLERANCE,
                  large_tolerance=TOLERANCE):
    """The memory sizes the figures recommend, by one rule applied to each workload:

    among the measured sizes whose duration is at most `tolerance` × the fastest measured
    duration of that workload, the one with the lowest cost per run (the smaller size on a
    tie). `typical` (200 named buckets) gives the default size, `large` (the 1,000-account
    organization, with `large_tolerance`) the size for large organizations.

    Returns {"typical_mb": int or None, "large_mb": int or None, "reasoning": str}; a
    workload without figures gives None and says so.
    """
    by_name = {w["name"]: w for w in results.get("workloads", [])}
    picks = {}
    for key, name, tol in (("typical_mb", typical, tolerance),
                           ("large_mb", large, large_tolerance)):
        found = _cheapest_within(by_name.get(name, {}), tol)
        picks[key] = (found[0] if found else None, _reason(name, tol, found))
    return {"typical_mb": picks["typical_mb"][0], "large_mb": picks["large_mb"][0],
            "reasoning": " ".join(reason for _, reason in picks.values())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="the figures, as JSON (see the module doc)")
    parser.add_argument("--svg", type=Path, help="write the chart here")
    parser.add_argument("--table", action="store_true",
                        help="print the markdown table, the prices' source and the choice")
    parser.add_argument("--title", default="Duration and cost per run against memory size")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE,
                        help="'as fast' means within this factor of the fastest (default 1.10)")
    parser.add_argument("--large-tolerance", type=float, default=TOLERANCE,
                        help="the same for the 1,000-account organization (default 1.10)")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())
    if args.svg:
        args.svg.write_text(render_svg(results, args.title))
        print(f"chart: {args.svg}", file=sys.stderr)
    if args.table or not args.svg:
        print("\n".join(power_table(results)))
        print(f"\nPrices: {PRICING_SOURCE}.")
        choice = choose_memory(results, tolerance=args.tolerance,
                               large_tolerance=args.large_tolerance)
        print(f"\n{choice['reasoning']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
