"""Print the field-fit tables (page weights, weak-network timings, axe results) from the browser tests' artifacts.

    make test            # or: pytest tests/e2e
    python tests/e2e/field_fit_table.py [test-artifacts/e2e]

The figures come from tests/e2e/test_e2e_pages.py (weights of every page each demo role reaches) and
tests/e2e/test_e2e_field_fit.py (400 kbit/s, 400 ms). Paste the output into the "Field fit" section of README.md.
"""

import json
import sys
from collections import Counter
from pathlib import Path


def main(folder: Path) -> None:
    pages = {}
    for path in sorted(folder.glob("weights-*.json")):
        role = path.stem.removeprefix("weights-")
        for shape, weight in json.loads(path.read_text()).items():
            pages.setdefault(shape, (role, weight))
    print("| page | seen as | HTML | HTML gzip | with CSS, JS, icons: raw | gzip |")
    print("|---|---|---:|---:|---:|---:|")
    for shape, (role, w) in sorted(pages.items(), key=lambda item: -item[1][1]["total_gz"]):
        print(
            f"| `{shape}` | {role} | {w['html'] / 1000:.1f} KB | {w['html_gz'] / 1000:.1f} KB "
            f"| {w['total'] / 1000:.1f} KB | **{w['total_gz'] / 1000:.1f} KB** |"
        )
    if pages:
        assets = next(iter(pages.values()))[1]["assets"]
        print("\n| static file (cached a year) | raw | gzip |\n|---|---:|---:|")
        for name, (raw, gz) in sorted(assets.items(), key=lambda item: -item[1][1]):
            print(f"| `{name}` | {raw / 1000:.1f} KB | {gz / 1000:.1f} KB |")

    print("\n| page | device | cold: usable | cold: DOMContentLoaded | warm: usable | warm: static files fetched |")
    print("|---|---|---:|---:|---:|---|")
    for path in sorted(folder.glob("network-*.json")):
        name, device = path.stem.removeprefix("network-").rsplit("-", 1)
        d = json.loads(path.read_text())
        print(
            f"| {name} | {device} | {d['cold']['usable_s']:.2f} s | {d['cold']['dom_content_loaded_s']:.2f} s "
            f"| {d['warm']['usable_s']:.2f} s | {', '.join(d['warm']['static_fetched']) or 'none'} |"
        )

    runs, impacts, pages_checked = 0, Counter(), set()
    for path in folder.glob("axe-*.jsonl"):
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            runs += 1
            pages_checked.add(entry["label"])
            for violation in entry["violations"]:
                impacts[(violation["impact"], violation["id"])] += 1
    print(
        f"\naxe-core: {runs} runs on {len(pages_checked)} page states; violations by impact: {dict(impacts) or 'none'}"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "test-artifacts/e2e"))
