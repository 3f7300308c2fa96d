"""envs/pipeline.yaml (conda users) pins exactly what envs/setup.sh installs (venv users)."""

import re

import yaml

from tests.conftest import REPO

ENVS = REPO / "envs"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)$")


def normalise(name: str) -> str:
    """PEP 503: case and runs of -, _, . do not distinguish package names."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lines) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = PIN.match(line)
        assert match, f"not an exact pin: {line!r}"
        name = normalise(match.group(1))
        assert name not in found, f"{name} pinned twice"
        found[name] = match.group(2)
    return found


def requirement_pins(file: str) -> dict[str, str]:
    return pins((ENVS / file).read_text().splitlines())


def test_conda_environment_matches_the_pinned_requirements():
    env = yaml.safe_load((ENVS / "pipeline.yaml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict)]
    assert len(pip_sections) == 1
    assert pins(pip_sections[0]) == requirement_pins("requirements.txt")


def test_post_deploy_installs_the_no_deps_pins_without_their_dependencies():
    script = (ENVS / "pipeline.post-deploy.sh").read_text()
    [command] = [line for line in script.splitlines() if "pip install" in line]
    words = command.split()
    assert "--no-deps" in words
    assert pins(w for w in words if "==" in w) == requirement_pins("requirements-nodeps.txt")
