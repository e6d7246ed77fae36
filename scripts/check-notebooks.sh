#!/usr/bin/env bash
# Runs every notebook in notebooks/ top to bottom against a fresh build of headroom, and
# checks the committed notebooks carry no outputs. CI runs it after the tests.
#
# Needs python3 with venv and pip (PyPI reachable the first time): the kernel's packages
# go into target/notebook-venv, pinned, so the notebooks run the same everywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/notebook-venv
if [ ! -x "$venv/bin/jupyter" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        polars==2.1.0 nbconvert==7.17.2 nbclient==0.11.0 nbformat==5.11.1 ipykernel==7.4.0
fi
# The binary as the tests build it: `cargo build` alone resolves features without the
# dev-dependencies and would rebuild polars and more (minutes on CI) for no change.
cargo test --workspace --no-run --quiet
export HEADROOM_BIN="$PWD/target/debug/headroom" HEADROOM_ROOT="$PWD"
# Outputs are stripped before commit: a notebook in git shows code, not stale results.
"$venv/bin/python" - notebooks/*.ipynb <<'PY'
import json, sys
bad = [
    f"{path}: cell {i} has outputs (strip them before committing)"
    for path in sys.argv[1:]
    for i, cell in enumerate(json.load(open(path))["cells"])
    if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
]
print("\n".join(bad) or "notebooks carry no outputs")
sys.exit(1 if bad else 0)
PY
out=$(mktemp -d)
for nb in notebooks/*.ipynb; do
    start=$SECONDS
    "$venv/bin/jupyter" nbconvert --to notebook --execute --log-level=ERROR \
        --ExecutePreprocessor.timeout=600 --output-dir "$out" "$nb"
    echo "$nb: ran top to bottom in $((SECONDS - start)) s"
done
rm -rf "$out"
