"""How fast the command line answers, against bare imports of its four libraries, same run.

    .venv/bin/python bench/bench_cli.py [--shinobi 2000] [--missions 200] [--repeat 7]

Generates a village (villagefile/generate.py), imports it into a fresh SQLite file, then
times whole processes (wall clock, and CPU seconds of user plus system time, the steadier
figure on a shared machine), interleaved round by round so a busy machine slows each alike:
the baseline `python -c "import typer, rich, sqlalchemy, pydantic"`, `missiondesk --help`,
`missiondesk board --json` and `missiondesk roster --json`. Prints a markdown table of the
medians and each as a ratio to the baseline's (goal: within 1.5x). docs/performance.md
quotes it.

Mission Desk's own modules are compiled to bytecode first, as an installed program's are
and as the baseline's libraries are: with PYTHONDONTWRITEBYTECODE set (some sandboxes and
CI images set it) every run would otherwise compile our source again, which is a cost no
user pays twice.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = "import typer, rich, sqlalchemy, pydantic"
GOAL = 1.5


def _script() -> str:
    """The console script installed beside this interpreter (the one users run)."""
    found = Path(sys.executable).parent / "missiondesk"
    if not found.exists():
        raise SystemExit(f"no missiondesk console script beside {sys.executable}")
    return str(found)


def _run(command: list[str]) -> tuple[float, float]:
    """Wall-clock seconds, and the CPU seconds (user + system) the process used: on a
    shared machine the CPU time is the steadier figure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _compiled() -> None:
    """Write the package's bytecode (compileall writes it whatever PYTHONDONTWRITEBYTECODE
    says), so every timed run reads it as an installed program would."""
    import missiondesk

    compileall.compile_dir(Path(missiondesk.__file__).parent, quiet=1)


def run(shinobi: int, missions: int, repeat: int) -> None:
    _compiled()
    folder = Path(tempfile.mkdtemp(prefix="md-bench-cli-"))
    script = _script()
    env_db = f"sqlite:///{folder / 'village.sqlite'}"
    source = folder / "village.yaml"
    subprocess.run(
        [script, "village", "generate", "--shinobi", str(shinobi), "--missions", str(missions),
         "--seed", "1", "-o", str(source)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    subprocess.run(
        [script, "village", "import", str(source), "--db", env_db],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    commands = {
        f'python -c "{BASELINE}"': [sys.executable, "-c", BASELINE],
        "missiondesk --help": [script, "--help"],
        "missiondesk board --json": [script, "board", "--json", "--db", env_db],
        "missiondesk roster --json": [script, "roster", "--json", "--db", env_db],
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for command in commands.values():  # one warm-up each: the file cache, .pyc files
        _run(command)
    for _ in range(repeat):
        for name, command in commands.items():
            times[name].append(_run(command))
    first = times[next(iter(commands))]
    base_wall = statistics.median(w for w, _ in first)
    base_cpu = statistics.median(c for _, c in first)
    print(
        f"{shinobi} shinobi, {missions} missions, SQLite; {repeat} rounds; "
        f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}\n"
    )
    print("| command | wall s (median) | / baseline | CPU s (median) | / baseline |")
    print("|---|---:|---:|---:|---:|")
    for name, samples in times.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        marks = ["" if r <= GOAL else " (over 1.5x)" for r in (wall / base_wall, cpu / base_cpu)]
        print(
            f"| `{name}` | {wall:.3f} | {wall / base_wall:.2f}x{marks[0]} "
            f"| {cpu:.3f} | {cpu / base_cpu:.2f}x{marks[1]} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shinobi", type=int, default=2000)
    parser.add_argument("--missions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    run(args.shinobi, args.missions, args.repeat)


if __name__ == "__main__":
    main()
