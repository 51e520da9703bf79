import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"cauarena": "cauarena", "envs": "cauarena/envs", "agents": "cauarena/agents", "guards": "cauarena/guards",
           "learners": "cauarena/learners", "leaderboards": "cauarena/leaderboards"}


def _source_packages() -> set[str]:
    found = set()
    for folder, target in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(str(Path(target) / rel) if str(rel) != "." else target)
    return found


@pytest.mark.slow
def test_wheel_contains_every_subpackage(tmp_path):
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = tmp_path.glob("cauarena-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    in_wheel = {str(Path(n).parent) for n in names if n.endswith("__init__.py")}
    missing = _source_packages() - in_wheel
    assert not missing, f"sub-packages missing from the wheel: {sorted(missing)}"
    assert not any(n.startswith(("envs/", "agents/", "tests/")) for n in names), "bare folders leaked into the wheel"
    data = _tracked_data_files()
    assert data, "expected shipped data files (checkpoints, rule trees, classifier weights)"
    missing_data = data - set(names)
    assert not missing_data, f"data files read at run time are missing from the wheel: {sorted(missing_data)}"


def _tracked_data_files() -> set[str]:
    """Wheel paths of the data files git tracks inside the package folders (weights, JSON data, model cards)."""
    listed = subprocess.run(["git", "ls-files", *(f for f in FOLDERS if f != "cauarena")], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.split()
    out = set()
    for path in listed:
        folder, _, rest = path.partition("/")
        if Path(path).suffix in (".json", ".safetensors") or (Path(path).suffix == ".md" and "checkpoints/" in path):
            out.add(f"{FOLDERS[folder]}/{rest}")
    return out


def test_setup_lists_every_subpackage():
    import runpy
    from unittest import mock

    with mock.patch("setuptools.setup") as setup:
        runpy.run_path(str(ROOT / "setup.py"))
    listed = {p.replace(".", "/") for p in setup.call_args.kwargs["packages"]}
    assert _source_packages() <= listed


def test_bare_folder_imports_are_banned_by_lint():
    config = (ROOT / "pyproject.toml").read_text()
    for name in ("envs", "agents", "guards", "learners", "leaderboards"):
        assert f'"{name}".msg' in config
