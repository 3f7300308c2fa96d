"""Object names: the Python validator and the engine accept exactly the same ones."""

import pytest

from workflow_scripts.maze import MazeEnv
from workflow_scripts.objects import BUILTIN_COLOURS, parse_object, short_name

EXTRA = {"orange": (255, 128, 0), "teal2": (0, 128, 128)}
NAMES = (
    [f"{c}_{s}" for c in [*BUILTIN_COLOURS, *EXTRA, "magenta"] for s in ("line_diag", "gem", "line", "square")]
    + ["invisible_gem", "invisible_line_diag", "", "red", "red_", "_gem", "Red_gem", "red_gem_", "red_line_diag_x",
       "red gem", "red-gem"]
)


def python_accepts(name):
    try:
        parse_object(name, EXTRA)
        return True
    except ValueError:
        return False


def engine_accepts(name):
    try:
        MazeEnv(1, "duel", obj1=name, colours=EXTRA).close()
        return True
    except ValueError:
        return False


def test_python_and_engine_agree(engine):
    verdicts = {name: (python_accepts(name), engine_accepts(name)) for name in NAMES}
    disagreements = {n: v for n, v in verdicts.items() if v[0] != v[1]}
    assert not disagreements
    # 10 colours x 2 shapes + the invisible gem
    assert sum(v[0] for v in verdicts.values()) == 21


@pytest.mark.parametrize(
    "name, short", [("red_line_diag", "red-line"), ("yellow_gem", "yellow-gem"), ("invisible_gem", "invisible-gem")]
)
def test_short_names_follow_the_original_folders(name, short):
    assert short_name(name) == short
