"""How long `partybot import-roster` takes to refuse a 36 KB XLSX whose one shared
string is 30 MB (issue 23, item 7), for 300 and 2,000 rows that use it as 姓名.

Each import runs as its own process on a fresh SQLite database (as an admin would run
it); the script reports its wall time, CPU time, peak memory (VmHWM) and its first line
of output. The file is built here, not from tests/, so the script runs unchanged
against older code: `git stash; python benchmarks/roster_bomb.py; git stash pop`.

    python benchmarks/roster_bomb.py [--rows 300 2000] [--chars 30000000]

Before (issue 23): 23.7 s to refuse 300 rows, 185 s for 2,000, the string copied and
normalised once per row; the webhook's median went from 2 ms to 249 ms meanwhile.
Measured here (2 shared CPUs, Python 3.11), the whole `import-roster` process:

| rows | file  | before: wall / CPU / peak | after: wall / CPU / peak |
|------|-------|---------------------------|--------------------------|
| 300  | 34 KB | 31.0 s / 20.7 s / 152 MB  | 0.8 s / 0.8 s / 95 MB    |
| 2000 | 56 KB | 178.5 s / 132.0 s / 152 MB| 0.8 s / 0.7 s / 95 MB    |

After, most of the 0.8 s is starting Python; reading the file to the refusal takes
0.15–0.25 s. Before, the file was refused row by row (姓名太长) after every row was read.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import fresh_database  # noqa: E402

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d ")  # alembic's and partybot's log lines
IMPORT = """
import atexit, sys
from pathlib import Path

def peak():
    status = Path("/proc/self/status").read_text()
    hwm = next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1]
    print(f"PEAK_MB {int(hwm) // 1024}", file=sys.stderr)

atexit.register(peak)
from bot.cli import main
main(["import-roster", sys.argv[1]])
"""


def bomb(path: Path, rows: int, chars: int) -> Path:
    """The file: shared string 0 is `chars` x's, string 1 a branch; every row uses both."""
    sheet = "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c><c r="B{n}" t="s"><v>1</v></c>'
        f'<c r="C{n}" t="inlineStr"><is><t>1380000{n:04d}</t></is></c></row>'
        for n in range(2, rows + 2))
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>'
                     for c, h in zip("ABC", ("姓名", "支部", "手机"), strict=True))
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{PKG}/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{SML}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SML}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SML}.sharedStrings+xml"/>'
            "</Types>"),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}/relationships"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{MAIN}"><dimension ref="A1:C{rows + 1}"/><sheetData>'
            f'<row r="1">{header}</row>{sheet}</sheetData></worksheet>'),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{MAIN}"><si><t>{"x" * chars}</t></si><si><t>一支部</t></si></sst>'),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def refuse(path: Path, workdir: Path) -> tuple[float, float, str, str]:
    """Wall seconds, CPU seconds, peak MB and the first line `import-roster` printed."""
    database = workdir / "partybot.db"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    fresh_database(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "PARTYBOT_"))}
    env.update(PARTYBOT_DATABASE_URL=url, PARTYBOT_INSTANCE_PATH=str(workdir / "instance"),
               PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", IMPORT, str(path)], cwd=workdir, env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    peak = next((line.split()[1] for line in lines if line.startswith("PEAK_MB")), "?")
    said = [line.strip() for line in lines
            if not line.startswith("PEAK_MB") and not LOG_LINE.match(line)]
    message = said[0] if said else f"exit {done.returncode}"
    return wall, cpu, peak, message[:90]


def main() -> None:
    """Build each file, refuse it, print a line per size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[300, 2_000])
    parser.add_argument("--chars", type=int, default=30_000_000)
    args = parser.parse_args()
    print(f"# {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs; a shared string of {args.chars:,} characters")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for rows in args.rows:
            path = bomb(workdir / f"bomb-{rows}.xlsx", rows, args.chars)
            wall, cpu, peak, message = refuse(path, workdir)
            print(f"{rows:>6} rows, {path.stat().st_size / 1024:.0f} KB: refused in "
                  f"{wall:.2f} s (CPU {cpu:.2f} s, peak {peak} MB): {message}")


if __name__ == "__main__":
    main()
