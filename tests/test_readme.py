"""The README's python examples run, and every dotted path it names resolves.

Each ```python block runs as a script with a namespace of its own (so the imports it shows are
all it gets) in a temporary folder (examples may write files), with warnings as errors. Dotted
names ``pidtools.x.y`` must resolve in a fresh interpreter after a bare ``import pidtools``,
``infomorph.x.y`` after importing their module.
"""

import re
import runpy
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

#: The fast suite runs these README examples smaller (each text must occur in the README, so a
#: changed example fails here instead of silently running full size); ``-m slow`` runs them as
#: written.
SMALLER = {
    "epochs=40, batch_size=128, record_probe=500": "epochs=2, batch_size=128, record_probe=50"
}

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```", TEXT, re.S | re.M)
#: dotted names in the README's text and code, without call parentheses or a trailing dot
DOTTED = sorted(set(re.findall(r"\b((?:pidtools|infomorph)(?:\.[A-Za-z_]\w*)+)", TEXT)))


def _first_line(block: str) -> str:
    return next(line for line in block.splitlines() if line.strip())


def test_readme_has_examples():
    assert len(BLOCKS) >= 3
    assert any(name.startswith("pidtools.") for name in DOTTED)


def _shrink(block: str) -> str:
    for full, small in SMALLER.items():
        block = block.replace(full, small)
    return block


def test_smaller_sizes_apply():
    for full in SMALLER:
        assert sum(full in block for block in BLOCKS) == 1, full


def _run_block(block: str, tmp_path: Path, monkeypatch) -> None:
    script = tmp_path / "example.py"
    script.write_text(block, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("error", RuntimeWarning)
        runpy.run_path(str(script), run_name="__main__")  # a fresh namespace per block


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_python_block_runs(block, tmp_path, monkeypatch):
    _run_block(_shrink(block), tmp_path, monkeypatch)


@pytest.mark.slow
@pytest.mark.parametrize(
    "block",
    [b for b in BLOCKS if _shrink(b) != b],
    ids=[f"full{i}" for i, b in enumerate(BLOCKS) if _shrink(b) != b],
)
def test_python_block_runs_full_size(block, tmp_path, monkeypatch):
    _run_block(block, tmp_path, monkeypatch)


# Resolved in one fresh interpreter: pidtools names after `import pidtools` alone (nothing else
# imported first), infomorph names after importing the longest importable module prefix.
_RESOLVE = r"""
import importlib, sys
import pidtools

bad = []
for name in sys.argv[1:]:
    parts = name.split(".")
    if parts[0] == "pidtools":
        obj, rest = pidtools, parts[1:]
    else:
        for k in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:k]))
            except ImportError:
                continue
            rest = parts[k:]
            break
    try:
        for attr in rest:
            obj = getattr(obj, attr)
    except AttributeError as exc:
        bad.append(f"{name}: {exc}")
print("\n".join(bad))
"""


def test_dotted_names_resolve():
    run = subprocess.run(
        [sys.executable, "-c", _RESOLVE, *DOTTED], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "", f"README names that do not resolve:\n{run.stdout}"
