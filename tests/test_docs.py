"""The documentation cannot drift: README.md stays short with its quick start as CI runs it, every section of the
former long README has a home, the configuration reference is generated from the schema and complete, the site
builds strictly, the README's picture is what the main job draws, and every `(docs/<page>.md, "<section>")`
reference in the code points at a page and section that exist. (Every Python example in README.md and docs/*.md
runs in tests/test_readme.py.)"""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from tests.conftest import REPO

DOCS = REPO / "docs"
README = REPO / "README.md"
PAGES = sorted(DOCS.glob("*.md"))

# The two quick-start commands, exactly as CI (.ci/run) and users run them.
QUICK_START = ["bash envs/setup.sh && .venv/bin/snakemake --cores 2   # set up, run the main job (demo scale)",
               "bash envs/setup.sh && .venv/bin/python -m pytest      # set up, run the tests"]

# Every section of the README before issue 36 (1,174 lines), each moved whole to README.md or a page of docs/.
FORMER_SECTIONS = ["Quick start", "Layout", "How the workflow is wired", "Results always match the configuration",
                   "The engine", "Gymnasium environments and `pip install`", "Installing the library", "Training",
                   "Several agents per GPU", "Evaluation", "Figures", "Analyses", "Policy vector fields",
                   "Published data: the paper's figures from its own results", "Did it reproduce?",
                   "Running on a cluster (SLURM)", "Partial rebuilds", "Dependencies", "Tests", "Status",
                   "Licences of third-party artwork"]


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_config_reference", DOCS / "gen_config_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def headings(path: Path) -> list[str]:
    """The Markdown headings of a file, outside code blocks."""
    found, fenced = [], False
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#{1,6} (.+)", line)):
            found.append(match[1].strip())
    return found


def test_readme_is_short_and_keeps_the_quick_start_commands():
    lines = README.read_text().splitlines()
    assert len(lines) <= 200
    for command in QUICK_START:
        assert command in lines, command


def test_every_former_readme_section_has_a_home():
    homes = {h for path in [README, *PAGES] for h in headings(path)}
    assert [s for s in FORMER_SECTIONS if s not in homes] == []


def test_readme_links_into_docs_exist():
    for target in re.findall(r"\]\((docs/[^)#]*)", README.read_text()):
        assert (REPO / target).exists(), target


def test_config_reference_is_up_to_date():
    assert gen.main(["--check"]) == 0, "run .venv/bin/python docs/gen_config_reference.py"


def test_every_config_key_has_a_description():
    configs = [yaml.safe_load(p.read_text()) for p in [REPO / "config.yaml", *gen.TEST_CONFIGS]]
    assert gen.TEST_CONFIGS, "tests/config/*.yaml"
    assert gen.missing_descriptions(gen.load_schema(), configs) == []
    reference = (DOCS / "config.md").read_text()
    for path, _ in gen.keys(gen.load_schema()):
        assert f"| `{path}` |" in reference or f"## `{path}`" in reference, path


def test_a_key_without_a_description_fails_the_check():
    schema = gen.load_schema()
    del schema["properties"]["evaluation"]["properties"]["seed"]["description"]
    assert gen.missing_descriptions(schema, []) == ["evaluation.seed"]
    # A key the schema does not know is named too (the config check refuses it anyway).
    assert gen.missing_descriptions(gen.load_schema(), [{"evaluation": {"sede": 1}}]) == ["evaluation.sede?"]


@pytest.fixture(scope="module")
def site(engine, tmp_path_factory) -> Path:
    """The site as `mkdocs build --strict` makes it, its picture drawn by the tests' engine."""
    folder = tmp_path_factory.mktemp("site") / "site"
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
                         cwd=REPO, capture_output=True, text=True, timeout=300,
                         env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "MAZE_ENGINE_DIR": str(engine)})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return folder


def test_the_site_builds_strictly(site):
    """mkdocs build --strict: a broken link, a page missing from the nav or a bad anchor fails."""
    home = (site / "index.html").read_text()
    assert "Quick start" in home and 'href="training/"' in home  # README is the home page, its links made relative
    assert 'src="img/illustration-red-line-yellow-gem.png"' in home
    assert "evaluation.num_levels" in (site / "config" / "index.html").read_text()


def test_the_home_page_picture_is_what_the_main_job_draws(site, engine):
    """The site's picture is the demo's figures/demo-maze-5x5/illustration-red-line-yellow-gem.png as the engine
    draws it now, pixel for pixel; the README links to that figure, and no picture of procgen's artwork is
    committed (it is read from the installed package at build time)."""
    from workflow_scripts.experiments import pairs
    from workflow_scripts.media import train_test_illustration

    config = yaml.safe_load((REPO / "config.yaml").read_text())
    [entry] = [e for e in config["figures"]["illustration"] if e["experiment"] == "demo-maze-5x5"]
    experiment = config["experiments"]["demo-maze-5x5"]
    obj1, obj2 = pairs(config, "demo-maze-5x5")[entry["pair"]]
    drawn = train_test_illustration(experiment["goal"], obj1, obj2, experiment["background"], experiment["world_dim"],
                                    entry["train_level"], entry["test_level"], {}, engine)
    shown = np.asarray(Image.open(site / "img" / f"illustration-{entry['pair']}.png").convert("RGB"))
    assert shown.shape == drawn.shape and np.array_equal(shown, drawn)
    assert f"](figures/demo-maze-5x5/illustration-{entry['pair']}.png)" in (REPO / "README.md").read_text()
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert [f for f in tracked.splitlines() if f.endswith((".png", ".jpg", ".gif", ".pam"))] == []


# `(docs/<page>.md, "<section>")`, `(docs/<page>.md)` or `README "<section>"` in code, comments and messages; a
# section's words may run over a line break and a comment's `#`.
REFERENCE = re.compile(r'\((docs/[a-z-]+\.md)(?:,\s*"([^"]+)")?\)|README,?\s*"([^"]+)"')
SCANNED = ["Snakefile", "config.yaml", "rules", "workflow_scripts", "benchmarks", "envs", "profiles", "report",
           "schemas", "tests", "docs/hooks.py", "docs/gen_config_reference.py"]


def _scanned_files():
    """(path, text) of every text file that may cite the documentation, this test file left out."""
    for name in SCANNED:
        path = REPO / name
        for file in sorted(path.rglob("*") if path.is_dir() else [path]):
            if file.is_file() and file.suffix in {"", ".py", ".smk", ".yaml", ".sh", ".rst", ".txt"} and \
                    "__pycache__" not in file.parts and file != Path(__file__):
                yield file, file.read_text()


def _has_section(path: Path, section: str) -> bool:
    return section in headings(path)


def test_references_to_docs_name_pages_and_sections_that_exist():
    checked = 0
    for file, text in _scanned_files():
        for match in REFERENCE.finditer(text):
            page, section, readme_section = (re.sub(r"\s*\n\s*#?\s*", " ", g) if g else g for g in match.groups())
            where = f"{file.relative_to(REPO)}: {match[0]}"
            if readme_section:
                assert _has_section(README, readme_section), where
            else:
                assert (REPO / page).is_file(), where
                assert section is None or _has_section(REPO / page, section), where
            checked += 1
    assert checked >= 10
