"""The wheel carries the templates and static files: build it, install it in a fresh virtual environment and
build a report from there (outside the checkout, so nothing is imported from the source tree)."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_report_from_an_installed_wheel(tmp_path: Path, reference: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("reportgen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "reportgen/_templates/report.html.j2" in names
    assert any(n.startswith("reportgen/_static/js/") for n in names)
    assert "reportgen/_static/report.css" in names
    # a fresh environment: the package from the wheel; its dependencies from this interpreter's site-packages,
    # added as plain path entries (their .pth files, such as the checkout's editable install, are not run)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    own_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    parent_sites = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (Path(own_site) / "_parent_site_packages.pth").write_text("\n".join(parent_sites) + "\n", encoding="utf-8")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    fake = reference / "cocoapi_fake100"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(env_dir / "bin" / "reportgen"), "build", "--gt", str(fake / "instances_val2014_100.json"),
         "--pred", f"fake={fake / 'instances_val2014_fakebbox100_results.json'}", "-o", "report.html", "-q"],
        cwd=work, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    where = subprocess.run(
        [str(python), "-c", "import reportgen, sys; sys.stdout.write(reportgen.__file__)"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert str(env_dir) in where  # the installed copy, not the checkout
    html = (work / "report.html").read_text(encoding="utf-8")
    assert 'id="report-data"' in html and "</html>" in html
