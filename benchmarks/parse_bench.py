"""Parser benchmark: pages/s, median ms/page and peak memory of `scraper.parse_page`.

    PYTHONPATH=. python benchmarks/parse_bench.py                 # readable table
    PYTHONPATH=. python benchmarks/parse_bench.py --compare       # + lxml floor, trafilatura
    PYTHONPATH=. python benchmarks/parse_bench.py --compare --json --repeat 30

Pages: every ``fixtures/dw/*.html`` that parses (the refused ``not_dw``/topic pages are left
out) plus ``../shared/dw-pages/*.html`` when that directory exists (read in place, never
copied); ``--pages FILE…`` replaces both.

Method, chosen so figures from a busy shared machine still mean something:

- One core: the process is pinned with ``sched_setaffinity`` (``--cpu``; Linux only).
- Same run, interleaved: each round times every page with dwscrape and lxml back to back
  (their order alternates per round), so load changes hit both alike. trafilatura is timed
  in its own rounds right after: interleaved, its ~40x larger working set would leave
  whichever contender follows it with cold caches.
- Each sample is one call on the page's bytes, result dropped inside the timed region (the
  tree's deallocation is part of every contender's cost). Wall time (``perf_counter_ns``) and
  the thread's CPU time (``thread_time_ns``, immune to being descheduled) are both recorded.
- ``median ms`` is over all samples (pages x repeat); ``pages/s`` is samples / total time;
  ``x lxml`` divides the sum of per-page medians by lxml's (``x cpu``: the same with CPU
  time, the steadier figure on a loaded machine); ``worst`` is the worst page's ratio.
- Memory: ``tracemalloc`` peak of one call (max over pages; Python objects only: libxml2's
  tree is allocated with C ``malloc`` and invisible to it) and, in a fresh subprocess per
  contender, the growth of the peak RSS (``VmHWM``, else ``ru_maxrss``) over all pages (which does
  see libxml2).

Contenders: ``dwscrape`` (`parse_page`: decode, lxml tree, layout parser, normalisation);
with ``--compare`` also ``lxml`` (bare ``lxml.html.fromstring``, the floor) and
``trafilatura`` (``bare_extraction(with_metadata=True)``) when it is installed; it is not a
project dependency (``pip install trafilatura`` to measure it).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import logging
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "dw"
SHARED_PAGES = ROOT.parent / "shared" / "dw-pages"
FETCHED_AT = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: A minimal page run once before the RSS baseline, to trigger lazy imports.
WARMUP_PAGE = (
    b"<html><head><title>t</title></head><body><article><h1>t</h1><p>x</p></article></body></html>"
)

Runner = Callable[[bytes], None]


def _quiet_logs() -> None:
    """Drop structlog events below ERROR: a page's ``parse.field_missing`` warnings would
    otherwise flood the table (and the terminal I/O would be measured)."""
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))


def make_runner(name: str) -> Runner | None:
    """The timed call of a contender, or None when it is not installed."""
    if name == "dwscrape":
        from scraper import parse_page

        def run_dwscrape(data: bytes) -> None:
            parse_page(data, fetched_at=FETCHED_AT)

        return run_dwscrape
    if name == "lxml":
        import lxml.html

        def run_lxml(data: bytes) -> None:
            lxml.html.fromstring(data)

        return run_lxml
    if name == "trafilatura":
        try:
            import trafilatura
        except ImportError:
            return None

        def run_trafilatura(data: bytes) -> None:
            trafilatura.bare_extraction(data, with_metadata=True)

        return run_trafilatura
    raise ValueError(f"unknown contender {name!r}")


def select_pages(explicit: list[Path] | None, shared: bool, limit: int | None) -> list[Path]:
    """The pages to measure: explicit files, else the fixtures that parse plus the shared
    real pages (when present)."""
    from scraper import parse_page
    from scraper.errors import ParseError

    if explicit:
        candidates = explicit
    else:
        candidates = sorted(FIXTURES.glob("*.html"))
        if shared and SHARED_PAGES.is_dir():
            candidates += sorted(SHARED_PAGES.glob("*.html"))
    pages: list[Path] = []
    for path in candidates:
        try:
            parse_page(path.read_bytes(), fetched_at=FETCHED_AT)
        except ParseError:
            continue  # refused on purpose (not DW, topic page): not a parse to time
        pages.append(path)
    return pages[:limit] if limit else pages


def pin_cpu(cpu: int | None) -> int | None:
    """Pin this process to one CPU (Linux); returns it, or None where unsupported."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    chosen = cpu if cpu is not None else allowed[-1]
    os.sched_setaffinity(0, {chosen})
    return chosen


def time_contenders(
    runners: dict[str, Runner], pages: list[tuple[str, bytes]], repeat: int, warmup: int
) -> dict[str, dict[str, dict[str, list[int]]]]:
    """samples[contender][page] = {"wall": [ns…], "cpu": [ns…]}, interleaved per round."""
    names = list(runners)
    samples: dict[str, dict[str, dict[str, list[int]]]] = {
        n: {p: {"wall": [], "cpu": []} for p, _ in pages} for n in names
    }
    for round_no in range(warmup + repeat):
        order = names[round_no % len(names) :] + names[: round_no % len(names)]
        gc.collect()
        for page_name, data in pages:
            for name in order:
                run = runners[name]
                c0 = time.thread_time_ns()
                w0 = time.perf_counter_ns()
                run(data)
                w1 = time.perf_counter_ns()
                c1 = time.thread_time_ns()
                if round_no >= warmup:
                    samples[name][page_name]["wall"].append(w1 - w0)
                    samples[name][page_name]["cpu"].append(c1 - c0)
    return samples


def tracemalloc_peak(run: Runner, pages: list[tuple[str, bytes]]) -> int:
    """The largest Python-heap peak (bytes) of one call over all pages."""
    peak = 0
    tracemalloc.start()
    try:
        for _, data in pages:
            gc.collect()
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            run(data)
            peak = max(peak, tracemalloc.get_traced_memory()[1] - base)
    finally:
        tracemalloc.stop()
    return peak


def peak_rss_kib() -> int:
    """This process's peak resident set (KiB): ``VmHWM`` where /proc has it — it starts
    afresh at exec, unlike ``ru_maxrss``, which a child inherits from a bigger parent."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux


def rss_worker(name: str, paths: list[str], cpu: int | None) -> None:
    """Subprocess mode: peak RSS before and after running one contender over all pages."""
    _quiet_logs()
    pin_cpu(cpu)
    run = make_runner(name)
    datas = [Path(p).read_bytes() for p in paths]
    if run is None:
        print(json.dumps(None))
        return
    # Lazy imports happen here, not in the measured growth (a refused tiny page is fine).
    with contextlib.suppress(Exception):
        run(WARMUP_PAGE)
    before = peak_rss_kib()
    for _ in range(3):
        for data in datas:
            run(data)
    after = peak_rss_kib()
    print(json.dumps({"before_kib": before, "after_kib": after}))


def rss_growth(name: str, paths: list[Path], cpu: int | None) -> dict[str, int] | None:
    """Peak RSS (KiB) of a fresh process after imports and pages are loaded, and its
    growth while the contender runs over all pages three times."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--rss-worker", name]
    if cpu is not None:
        cmd += ["--cpu", str(cpu)]
    cmd += ["--pages", *map(str, paths)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"rss worker {name} failed: {done.stderr.strip()[-500:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result is None:
        return None
    return {
        "peak_rss_kib": result["after_kib"],
        "rss_growth_kib": result["after_kib"] - result["before_kib"],
    }


def _source(path: Path) -> str:
    parent = path.resolve().parent
    if parent == FIXTURES.resolve():
        return "fixtures"
    return "shared" if parent == SHARED_PAGES.resolve() else "other"


def _ms(ns: float) -> float:
    return round(ns / 1e6, 4)


def summarise(
    samples: dict[str, dict[str, dict[str, list[int]]]], pages: list[tuple[str, bytes]]
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, by_page in samples.items():
        wall = [s for p in by_page.values() for s in p["wall"]]
        cpu = [s for p in by_page.values() for s in p["cpu"]]
        out[name] = {
            "samples": len(wall),
            "pages_per_s": round(len(wall) / (sum(wall) / 1e9), 2),
            "median_ms": _ms(statistics.median(wall)),
            "p90_ms": _ms(sorted(wall)[int(0.9 * (len(wall) - 1))]),
            "cpu_median_ms": _ms(statistics.median(cpu)),
            "per_page_median_ms": {
                page: _ms(statistics.median(by_page[page]["wall"])) for page, _ in pages
            },
            "per_page_cpu_median_ms": {
                page: _ms(statistics.median(by_page[page]["cpu"])) for page, _ in pages
            },
        }
    floor = out.get("lxml")
    for name, figures in out.items():
        if floor is None or name == "lxml":
            figures["x_lxml"] = None
            figures["x_lxml_worst_page"] = None
            continue
        mine, base = figures["per_page_median_ms"], floor["per_page_median_ms"]
        figures["x_lxml"] = round(sum(mine.values()) / sum(base.values()), 3)
        figures["x_lxml_worst_page"] = round(max(mine[p] / base[p] for p in mine), 3)
        cmine, cbase = figures["per_page_cpu_median_ms"], floor["per_page_cpu_median_ms"]
        figures["x_lxml_cpu"] = round(sum(cmine.values()) / sum(cbase.values()), 3)
    return out


def render_table(result: dict[str, Any]) -> str:
    lines = [
        f"parse benchmark: {len(result['pages'])} pages, repeat {result['repeat']}, "
        f"CPU {result['cpu'] if result['cpu'] is not None else 'not pinned'}, "
        f"Python {result['python']}, lxml {result['lxml']}",
        "",
        f"{'contender':<12} {'pages/s':>9} {'median ms':>10} {'p90 ms':>8} {'cpu ms':>8} "
        f"{'x lxml':>7} {'x cpu':>6} {'worst':>6} {'tracemalloc':>12} {'rss growth':>11}",
    ]
    for name, f in result["contenders"].items():
        ratio = f"{f['x_lxml']:.2f}" if f.get("x_lxml") is not None else "-"
        ratio_cpu = f"{f['x_lxml_cpu']:.2f}" if f.get("x_lxml_cpu") is not None else "-"
        worst = f"{f['x_lxml_worst_page']:.2f}" if f.get("x_lxml_worst_page") is not None else "-"
        traced = f"{f['tracemalloc_peak_kib']:.0f} KiB" if "tracemalloc_peak_kib" in f else "-"
        rss = f.get("rss")
        grown = f"{rss['rss_growth_kib']} KiB" if rss else "-"
        lines.append(
            f"{name:<12} {f['pages_per_s']:>9.1f} {f['median_ms']:>10.3f} {f['p90_ms']:>8.3f} "
            f"{f['cpu_median_ms']:>8.3f} {ratio:>7} {ratio_cpu:>6} {worst:>6} {traced:>12} {grown:>11}"
        )
    names = list(result["contenders"])
    lines += [
        "",
        "per page, median ms:",
        f"{'page':<48} {'KiB':>5} " + " ".join(f"{n:>11}" for n in names),
    ]
    for page in result["pages"]:
        cells = " ".join(
            f"{result['contenders'][n]['per_page_median_ms'][page['name']]:>11.3f}" for n in names
        )
        lines.append(f"{page['name'][:48]:<48} {page['bytes'] / 1024:>5.0f} {cells}")
    if result["missing"]:
        lines += ["", "not installed: " + ", ".join(result["missing"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", action="store_true", help="also time lxml and trafilatura")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--repeat", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds (default 2)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--no-shared", action="store_true", help="skip ../shared/dw-pages")
    parser.add_argument("--no-rss", action="store_true", help="skip the peak-RSS subprocesses")
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: last)")
    parser.add_argument("--pages", nargs="+", type=Path, help="these HTML files instead")
    parser.add_argument("--rss-worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be >= 1 and --warmup >= 0")

    if args.rss_worker:
        rss_worker(args.rss_worker, [str(p) for p in args.pages], args.cpu)
        return 0

    _quiet_logs()
    cpu = pin_cpu(args.cpu)
    paths = select_pages(args.pages, shared=not args.no_shared, limit=args.limit)
    if not paths:
        parser.error("no pages that parse")
    pages = [(p.name, p.read_bytes()) for p in paths]

    wanted = ["dwscrape", "lxml", "trafilatura"] if args.compare else ["dwscrape"]
    runners: dict[str, Runner] = {}
    missing: list[str] = []
    for name in wanted:
        runner = make_runner(name)
        if runner is None:
            missing.append(name)
        else:
            runners[name] = runner

    paired = {n: r for n, r in runners.items() if n in ("dwscrape", "lxml")}
    samples = time_contenders(paired, pages, args.repeat, args.warmup)
    for name, run in runners.items():
        if name not in paired:
            samples.update(time_contenders({name: run}, pages, args.repeat, args.warmup))
    contenders = summarise(samples, pages)
    for name, run in runners.items():
        contenders[name]["tracemalloc_peak_kib"] = round(tracemalloc_peak(run, pages) / 1024, 1)
        contenders[name]["rss"] = None if args.no_rss else rss_growth(name, paths, cpu)

    import lxml.etree

    result = {
        "python": platform.python_version(),
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "cpu": cpu,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "pages": [
            {
                "name": name,
                "bytes": len(data),
                "source": _source(path),
            }
            for (name, data), path in zip(pages, paths, strict=True)
        ],
        "contenders": contenders,
        "missing": missing,
    }
    print(json.dumps(result, indent=2) if args.json else render_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
