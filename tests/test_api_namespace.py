"""The pidtools namespace: every public module is reachable after ``import pidtools``, lazily.

Each check runs in a fresh interpreter, since a module imported by another test would make a
missing attribute appear to work.
"""

import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pidtools"
#: public modules and subpackages of pidtools (no leading underscore)
PUBLIC = sorted(
    p.stem if p.is_file() else p.name
    for p in PACKAGE.iterdir()
    if not p.name.startswith("_") and (p.suffix == ".py" or (p / "__init__.py").exists())
)


def _run(code: str) -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return run


def test_public_modules_found():
    assert {"measures", "convergence", "xarray", "distributions", "kernels"} <= set(PUBLIC)


def test_every_public_module_reachable_after_import_pidtools():
    # pidtools.NAME is the module itself, or (compare, estimate, lattice) the function of the same
    # name defined in it.
    code = f"""
import pidtools
for name in {PUBLIC!r}:
    obj = getattr(pidtools, name)
    own = getattr(obj, "__name__", None) == f"pidtools.{{name}}"
    defined_there = getattr(obj, "__module__", None) == f"pidtools.{{name}}"
    assert own or defined_there, (name, obj)
"""
    _run(code)


def test_import_pidtools_does_not_import_xarray_until_asked():
    code = """
import sys
import pidtools
assert "xarray" not in sys.modules and "pidtools.xarray" not in sys.modules
ds_fn = pidtools.xarray.pid_dataset
assert "xarray" in sys.modules and callable(ds_fn)
"""
    _run(code)


def test_measures_is_the_subpackage_and_list_measures_the_listing():
    import pidtools

    assert pidtools.measures.__name__ == "pidtools.measures"
    assert callable(pidtools.measures.broja.broja_solution)
    listed = pidtools.list_measures()
    assert set(listed) == set(pidtools.measures.REGISTRY)
    assert "measures" not in pidtools.__all__ and "list_measures" in pidtools.__all__


def test_unknown_attribute_is_an_attribute_error():
    import pidtools

    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        pidtools.nonexistent  # noqa: B018


def test_validate_is_a_deprecated_name_of_convergence():
    code = """
import warnings
import pidtools
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    old = pidtools.validate.convergence
    from pidtools.validate import convergence as old_import
# both uses warn, at the caller's line
assert [(w.category, w.filename) for w in caught] == [(FutureWarning, "<string>")] * 2, [
    (w.category, w.filename, str(w.message)) for w in caught
]
assert "pidtools.convergence" in str(caught[0].message)
assert old is old_import is pidtools.convergence.convergence
"""
    _run(code)
