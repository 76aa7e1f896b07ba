"""bench/power.py: Lambda's arm64 cost arithmetic, the power table, the SVG chart and the
memory size chosen from figures. Pure: made-up figures in, text out; no time is measured."""
import json
import sys
import xml.etree.ElementTree as ET

import pytest

from support import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import power  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


def workload(name, durations):
    """A workload whose points are {memory_mb: duration_ms}; a size left out is not measured."""
    return {"name": name, "points": [{"memory_mb": mb, "duration_ms": ms}
                                     for mb, ms in durations.items()]}


def results(*workloads):
    return {"workloads": list(workloads)}


# Made up for the tests: a typical run bound by the network, a large one by the CPU.
TYPICAL = workload(power.TYPICAL, {128: 820.4, 256: 701.0, 512: 668.2, 1024: 660.0, 1769: 655.0})
LARGE = workload(power.LARGE, {128: 70000, 256: 35500, 512: 17600, 1024: 9000, 1769: 5300})


def test_prices_are_arm64_us_east_first_tier_with_their_source():
    assert power.PRICE_PER_GB_SECOND == 0.0000133334
    assert power.PRICE_PER_REQUEST == pytest.approx(0.0000002)
    assert "https://aws.amazon.com/lambda/pricing/" in power.PRICING_SOURCE
    assert "arm64" in power.PRICING_SOURCE


@pytest.mark.parametrize("duration_ms, billed", [(812.0, 812), (812.0001, 813), (812.9, 813),
                                                 (0.3, 1), (1, 1)])
def test_duration_is_billed_rounded_up_to_the_millisecond(duration_ms, billed):
    assert power.billed_ms(duration_ms) == billed


@pytest.mark.parametrize("memory_mb, duration_ms, dollars", [
    # 0.125 GB x 1 s x $0.0000133334 + $0.0000002
    (128, 1000, 0.000001866675),
    # 1 GB x 0.101 s (100.2 ms billed as 101) x $0.0000133334 + $0.0000002
    (1024, 100.2, 0.0000015466734),
    # 2 GB x 5 s x $0.0000133334 + $0.0000002
    (2048, 5000, 0.000133534),
])
def test_cost_per_run_is_billed_gb_seconds_plus_one_request(memory_mb, duration_ms, dollars):
    assert power.cost_per_run(memory_mb, duration_ms) == pytest.approx(dollars, rel=1e-12)


def test_cpu_share_is_memory_over_1769_mb():
    assert power.cpu_share(1769) == 1
    assert power.cpu_share(128) == pytest.approx(0.07236, abs=1e-5)


def test_power_table_has_a_row_per_workload_and_size_and_marks_gaps():
    partial = workload(power.LARGE, {128: 1000, 1769: 100})
    rows = power.power_table(results(TYPICAL, partial))
    assert len(rows) == 2 + 2 * 5
    assert rows[2].startswith(f"| {power.TYPICAL} | 128 | 0.072 | 820.4 | 821 |")
    large_128 = next(r for r in rows if r.startswith(f"| {power.LARGE} | 128 |"))
    # 1.866675 microdollars a run, 0.001867 dollars a thousand runs
    assert "| 1.867 | 0.001867 |" in large_128
    assert sum("not measured" in row for row in rows) == 3
    assert all(row.count("|") == rows[0].count("|") for row in rows)


def test_a_broken_duration_is_refused_not_drawn():
    with pytest.raises(ValueError, match="not a positive number"):
        power.power_table(results(workload("w", {128: 0})))
    with pytest.raises(ValueError, match="not a positive number"):
        power.render_svg(results(workload("w", {128: "fast"})), "t")


def test_axis_scale_is_logarithmic_only_over_a_wide_range():
    log, low, high, ticks = power.axis_scale([655.0, 70000.0])
    assert log and low == 100 and high == 100000
    assert ticks[0] == low and ticks[-1] == high
    log, low, high, ticks = power.axis_scale([655.0, 820.4])
    assert not log and low == 0 and high >= 820.4
    assert ticks[0] == 0 and ticks[-1] == high


def parse(svg):
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def series_paths(root):
    return [p for p in root.iter(f"{SVG}path") if "series" in p.get("class", "").split()]


def texts(root):
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_svg_is_xml_with_a_line_per_series_and_labelled_axes():
    root = parse(power.render_svg(results(TYPICAL, LARGE), "Power <&> tuning"))
    assert (root.get("width"), root.get("height")) == ("800", "450")
    paths = series_paths(root)
    assert len(paths) == 4
    assert sorted(p.get("class") for p in paths) == ["series cost"] * 2 + ["series duration"] * 2
    assert all(p.get("stroke-dasharray") for p in paths if "cost" in p.get("class"))
    labels = texts(root)
    assert "Power <&> tuning" in labels
    assert "Memory size (MB)" in labels
    assert "Duration (ms, log scale)" in labels
    assert "Cost per run (µUSD, log scale)" in labels
    assert [label for label in labels if label in ("128", "256", "512", "1,024", "1,769")] \
        == ["128", "256", "512", "1,024", "1,769"]
    assert len(list(root.iter(f"{SVG}circle"))) == 10
    assert "script" not in svg_tags(root) and "image" not in svg_tags(root)


def svg_tags(root):
    return {element.tag.replace(SVG, "") for element in root.iter()}


def test_svg_leaves_a_gap_where_a_size_was_not_measured():
    gappy = workload(power.TYPICAL, {128: 800, 256: 700, 1024: 650, 1769: 640})
    root = parse(power.render_svg(results(gappy), "gap"))
    for path in series_paths(root):
        # Two runs (128-256 and 1,024-1,769), each starting with a move: none through 512.
        assert path.get("d").count("M") == 2
        assert path.get("d").count("L") == 2
    assert len(list(root.iter(f"{SVG}circle"))) == 4
    x_512 = f"{power._x(2, 5):.1f}"
    assert all(c.get("cx") != x_512 for c in root.iter(f"{SVG}circle"))


def test_svg_with_no_figures_says_so():
    root = parse(power.render_svg(results(), "nothing"))
    assert "no measurements" in texts(root)
    assert series_paths(root) == []


def test_128_mb_is_chosen_when_nothing_is_faster_enough_to_matter():
    flat = workload(power.TYPICAL, {128: 700, 256: 690, 512: 680, 1024: 675, 1769: 672})
    choice = power.choose_memory(results(flat, LARGE))
    assert choice["typical_mb"] == 128
    assert "128 MB takes 700 ms, 1.04 × the fastest (672 ms at 1769 MB)" in choice["reasoning"]


def test_a_larger_size_is_chosen_when_128_is_too_slow():
    steep = workload(power.TYPICAL, {128: 1500, 256: 760, 512: 700, 1024: 690, 1769: 688})
    assert power.choose_memory(results(steep))["typical_mb"] == 512
    # 256 MB at 760 ms is 1.105 x the fastest: inside a looser tolerance it wins.
    assert power.choose_memory(results(steep), tolerance=1.2)["typical_mb"] == 256


def test_large_organizations_get_the_fastest_size_when_nothing_cheaper_is_close():
    choice = power.choose_memory(results(TYPICAL, LARGE))
    assert (choice["typical_mb"], choice["large_mb"]) == (256, 1769)
    assert "1769 MB is the fastest (5,300 ms" in choice["reasoning"]


def test_the_cheapest_is_by_cost_not_by_size():
    # Both are within 3 x of the fastest; 256 MB bills 0.225 GB-s, 128 MB 0.25 GB-s.
    cheaper_larger = workload(power.LARGE, {128: 2000, 256: 900})
    choice = power.choose_memory(results(TYPICAL, cheaper_larger), large_tolerance=3)
    assert choice["large_mb"] == 256


def test_a_workload_without_figures_gets_no_size():
    choice = power.choose_memory(results(TYPICAL))
    assert choice["large_mb"] is None
    assert f"{power.LARGE}: not measured" in choice["reasoning"]


def test_cli_writes_the_chart_and_prints_the_table_and_the_choice(tmp_path, capsys):
    figures = tmp_path / "results.json"
    figures.write_text(json.dumps(results(TYPICAL, LARGE)))
    chart = tmp_path / "power.svg"
    assert power.main([str(figures), "--svg", str(chart), "--table"]) == 0
    assert len(series_paths(parse(chart.read_text()))) == 4
    out = capsys.readouterr().out
    assert out.startswith("| Workload | Memory (MB) |")
    assert power.PRICING_SOURCE in out
    assert "200 named buckets: 256 MB takes 701 ms" in out
    assert "1769 MB is the fastest" in out
    # 1,024 MB at 9,000 ms is 1.70 x the fastest and bills less: inside 1.8 x it wins.
    assert power.main([str(figures), "--table", "--large-tolerance", "1.8"]) == 0
    assert "1,000-account organization: 1024 MB takes 9,000 ms" in capsys.readouterr().out
