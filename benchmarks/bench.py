"""jixiao's build and check at scale, against the plain docxtpl loop, in one run.

    python benchmarks/bench.py --filings 1000 [--json results.json] [--jobs N] [--large 20000] [--xlsx 20000 [--only-xlsx]]

Generates N synthetic filings (deterministic), then measures on the same files and template:
the baseline loop, `jixiao build` cold (N jobs, and one process) / unchanged / one filing changed,
`jixiao check` cold and warm, and the peak memory (RSS of the process and its workers) of each, plus
a cold build at N/20. With --large M, also the peak memory of a cold build of M filings, beside that
of 1,000 (a minute or two for 20,000 on two cores). The builds write Word files only (`--outputs docx`),
as the baseline does.
--xlsx N adds the year's summary workbook (汇总表.xlsx) of N synthetic filings: a cold `--outputs xlsx`
build, then the workbook written again from the record store (deleted; nothing else to do), an
unchanged build and a build with one filing changed, with their peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from baseline import render_plain  # noqa: E402
from compare import same_content  # noqa: E402
from synthetic import write_filings  # noqa: E402


def baseline(paths: list[Path], out_dir: Path) -> None:
    """The plain loop: ruamel.yaml round-trip load, jsonschema, jixiao's context, a fresh DocxTemplate per filing."""
    from jsonschema import Draft7Validator
    from ruamel.yaml import YAML

    from generator.common import resources
    from generator.common.yamlio import Document
    from generator.filing.model import build_filing
    from generator.forms.pack import load_forms
    from generator.forms.schema import load_schema
    from generator.render.layout import form_context
    from generator.render.word import DocumentInfo

    schema = load_schema(resources.schema_path())
    forms = load_forms()
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in paths:
        text = path.read_text(encoding="utf-8")
        data = YAML().load(text)
        errors = list(Draft7Validator(schema).iter_errors(data))
        form = forms[str(data["表样"])]
        filing = build_filing(Document(path.as_posix(), text, data), form)
        info = DocumentInfo(filing.name, f"{path.as_posix()}（没有提交到 git）", datetime(1980, 1, 1, tzinfo=timezone.utc))
        (out_dir / f"{path.stem}.docx").write_bytes(render_plain(form, form_context(filing, form), info))
        del errors


class PeakRss:
    """Peak resident memory of a process and all its children, sampled every 5 ms."""

    def __init__(self, pid: int):
        self.process = psutil.Process(pid)
        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.is_set():
            try:
                processes = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in processes if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.005)

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return self.peak / 2**20


def timed(command: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = PeakRss(process.pid)
    _, err = process.communicate()
    seconds = time.perf_counter() - start
    peak = memory.stop()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err.decode()}")
    return seconds, peak


def timed_baseline(work: Path, paths: list[Path], out_dir: Path) -> tuple[float, float]:
    """The baseline in a process of its own, from the same folder and with the same file names as the builds."""
    code = (
        "import sys, pathlib; sys.path.insert(0, %r); from bench import baseline; "
        "baseline([pathlib.Path(p) for p in sys.argv[1:]], pathlib.Path(%r))"
    ) % (str(HERE), str(out_dir))
    names = [p.relative_to(work).as_posix() for p in paths]
    env = os.environ.copy()
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as for jixiao: compiled modules, as installed
    return timed([sys.executable, "-c", code, *names], work, env)


def workbook_figures(count: int, seed: int, jobs: int) -> dict:
    """汇总表.xlsx of `count` synthetic filings, in a folder of its own."""
    jixiao = str(Path(sys.executable).with_name("jixiao"))
    work = Path(tempfile.mkdtemp(prefix="jixiao-bench-xlsx-"))
    try:
        paths = write_filings(work / "projects", count, seed)
        # one 指标明细 row per indicator: the synthetic filings file no empty group
        rows = sum(line.startswith("      ") for path in paths for line in path.read_text(encoding="utf-8").splitlines())
        env = {**os.environ, "JIXIAO_CACHE_DIR": str(work / "cache"), "CI": "true"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "generator")], check=True, env=env)
        build = [jixiao, "build", "projects", "--out", "out", "--outputs", "xlsx", "-q", "-j", str(jobs)]
        workbook = work / "out" / "2024" / "汇总表.xlsx"
        figures: dict = {"xlsx_filings": count, "xlsx_rows": rows}
        figures["xlsx_cold_s"], figures["rss_xlsx_cold_mb"] = timed(build, work, env)
        workbook.unlink()
        figures["xlsx_20k_s"], figures["rss_xlsx_20k_mb"] = timed(build, work, env)
        figures["xlsx_mb"] = round(workbook.stat().st_size / 2**20, 1)
        figures["xlsx_noop_s"], figures["rss_xlsx_noop_mb"] = timed(build, work, env)
        with paths[len(paths) // 2].open("a", encoding="utf-8") as stream:
            stream.write("# 改了一处\n")
        figures["xlsx_one_change_s"], figures["rss_xlsx_one_change_mb"] = timed(build, work, env)
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report_workbook(r: dict) -> None:
    print(f"汇总表.xlsx of {r['xlsx_filings']} synthetic filings ({r['xlsx_rows']} indicator rows, {r['xlsx_mb']} MB)")
    for label, key, rss in (
        ("cold build --outputs xlsx", "xlsx_cold_s", "rss_xlsx_cold_mb"),
        ("workbook written from the store", "xlsx_20k_s", "rss_xlsx_20k_mb"),
        ("nothing changed", "xlsx_noop_s", "rss_xlsx_noop_mb"),
        ("one filing changed", "xlsx_one_change_s", "rss_xlsx_one_change_mb"),
    ):
        print(f"{label:36s} {r[key]:9.2f} s {r[rss]:10.0f} MB peak RSS")
    print(f"workbook written in {r['xlsx_20k_s']:.1f} s (target ≤ 30), peak {r['rss_xlsx_20k_mb']:.0f} MB (target ≤ 500)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--large", type=int, default=0, metavar="M", help="also a cold build of M filings (memory)")
    parser.add_argument("--xlsx", type=int, default=0, metavar="N", help="also measure 汇总表.xlsx of N filings (20000: the target)")
    parser.add_argument("--only-xlsx", action="store_true", help="only the workbook measurements")
    args = parser.parse_args()
    if args.only_xlsx:
        figures = {"jobs": args.jobs, **workbook_figures(args.xlsx or 20000, args.seed, args.jobs)}
        report_workbook(figures)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        return
    jixiao = str(Path(sys.executable).with_name("jixiao"))
    work = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    try:
        paths = write_filings(work / "projects", args.filings, args.seed)
        small = write_filings(work / "small" / "projects", max(1, args.filings // 20), args.seed)
        # Measured as installed: pip writes the bytecode of an installed package, so every run below
        # finds compiled modules (PYTHONDONTWRITEBYTECODE would make each run compile jixiao anew).
        env = {**os.environ, "JIXIAO_CACHE_DIR": str(work / "cache"), "CI": "true"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "generator")], check=True, env=env)
        build = [jixiao, "build", "projects", "--out", "out", "--outputs", "docx", "-q", "-j", str(args.jobs)]
        check = [jixiao, "check", "projects", "--format", "json", "-j", str(args.jobs)]
        results: dict[str, float] = {"filings": args.filings, "jobs": args.jobs}

        results["baseline_s"], results["rss_baseline_mb"] = timed_baseline(work, paths, work / "baseline")
        one_process = [*build[:-1], "1", "--out", "out-j1", "--no-cache"]
        results["cold_build_j1_s"], results["rss_cold_build_j1_mb"] = timed(one_process, work, env)
        shutil.rmtree(work / "out-j1")
        results["cold_build_s"], results["rss_cold_build_mb"] = timed(build, work, env)
        results["noop_build_s"], results["rss_noop_build_mb"] = timed(build, work, env)
        with paths[len(paths) // 2].open("a", encoding="utf-8") as stream:
            stream.write("# 改了一处\n")
        results["one_change_build_s"], results["rss_one_change_build_mb"] = timed(build, work, env)
        shutil.rmtree(work / "cache")
        results["check_cold_s"], results["rss_check_cold_mb"] = timed(check, work, env)
        results["check_warm_s"], results["rss_check_warm_mb"] = timed(check, work, env)
        small_env = {**env, "JIXIAO_CACHE_DIR": str(work / "small" / "cache")}
        results["small_build_s"], results["rss_small_build_mb"] = timed(build, work / "small", small_env)
        if args.large:
            results.update(large_builds(work, args.large, args.seed, build, env, results if args.filings == 1000 else None))
        results["same_docx_as_baseline"] = all(
            same_content((work / "baseline" / f"{p.stem}.docx").read_bytes(), (work / "out" / "2024" / f"{p.stem}.docx").read_bytes())
            for p in paths if p != paths[len(paths) // 2]
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.xlsx:
        results.update(workbook_figures(args.xlsx, args.seed, args.jobs))
    report(results)
    if args.xlsx:
        print()
        report_workbook(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def large_builds(work: Path, count: int, seed: int, build: list[str], env: dict, thousand: dict | None) -> dict:
    """Peak memory of a cold build of `count` filings and of 1,000 (from the main run when it built 1,000)."""
    measured = {}
    for label, size in (("1k", 1000), (f"{count // 1000}k", count)):
        if size == 1000 and thousand is not None:
            measured["rss_cold_build_mb_1k"] = thousand["rss_cold_build_mb"]
            continue
        folder = work / f"large-{size}"
        write_filings(folder / "projects", size, seed)
        seconds, measured[f"rss_cold_build_mb_{label}"] = timed(build, folder, {**env, "JIXIAO_CACHE_DIR": str(folder / "cache")})
        measured[f"cold_build_s_{label}"] = seconds
        shutil.rmtree(folder)
    return measured


def report(r: dict) -> None:
    n, base = r["filings"], r["baseline_s"]
    rows = [
        ("baseline (plain docxtpl loop)", "baseline_s", "rss_baseline_mb"),
        ("jixiao build, cold", "cold_build_s", "rss_cold_build_mb"),
        ("jixiao build, cold, one process", "cold_build_j1_s", "rss_cold_build_j1_mb"),
        ("jixiao build, nothing changed", "noop_build_s", "rss_noop_build_mb"),
        ("jixiao build, one filing changed", "one_change_build_s", "rss_one_change_build_mb"),
        ("jixiao check, cold", "check_cold_s", "rss_check_cold_mb"),
        ("jixiao check, warm", "check_warm_s", "rss_check_warm_mb"),
        (f"jixiao build, cold, {max(1, n // 20)} filings", "small_build_s", "rss_small_build_mb"),
    ]
    print(f"{n} synthetic filings, {r['jobs']} jobs")
    print(f"{'':36s} {'seconds':>9s} {'filings/s':>10s} {'vs baseline':>12s} {'peak RSS MB':>12s}")
    for label, key, rss in rows:
        count = max(1, n // 20) if key == "small_build_s" else n
        print(f"{label:36s} {r[key]:9.2f} {count / r[key]:10.0f} {base / r[key]:11.1f}x {r[rss]:12.0f}")
    print()
    print(f"cold build throughput / baseline:   {base / r['cold_build_s']:.1f}x   (target ≥ 8)")
    print(f"one process / baseline:             {base / r['cold_build_j1_s']:.1f}x   (target ≥ 5)")
    print(f"no-op build / cold build:           {r['noop_build_s'] / r['cold_build_s']:.3f}  (target ≤ 0.05)")
    print(f"one-change build / cold build:      {r['one_change_build_s'] / r['cold_build_s']:.3f}  (target ≤ 0.1)")
    print(f"cold check / baseline:              {r['check_cold_s'] / base:.3f}  (target ≤ 0.1)")
    print(f"warm check / baseline:              {r['check_warm_s'] / base:.4f} (target ≤ 0.02)")
    print(f"peak RSS cold build N / N/20:       {r['rss_cold_build_mb'] / r['rss_small_build_mb']:.2f}  (target ≤ 1.5)")
    large = [k for k in r if k.startswith("rss_cold_build_mb_") and k != "rss_cold_build_mb_1k"]
    for key in large:
        print(f"peak RSS cold build {key[18:]} / 1k:     {r[key] / r['rss_cold_build_mb_1k']:.2f}  "
              f"({r[key]:.0f} MB / {r['rss_cold_build_mb_1k']:.0f} MB, target ≤ 1.5)")
    print(f"same .docx content as the baseline: {r['same_docx_as_baseline']}  (XML level)")


if __name__ == "__main__":
    main()
