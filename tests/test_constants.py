"""The game's rules that the Python side keeps too (workflow_scripts/game.py) are the engine's: as written in
cpp/game.h, and as the built engine behaves."""

import re

import numpy as np

from tests.conftest import REPO
from workflow_scripts import game
from workflow_scripts.maze import MazeEnv

NOOP = 4  # procgen's action table: 4 is "stay"


def cpp_constant(name: str) -> int:
    found = re.search(rf"constexpr\s+int\s+{name}\s*=\s*(\d+)\s*;", (REPO / "cpp" / "game.h").read_text())
    assert found, f"constexpr int {name} not found in cpp/game.h"
    return int(found.group(1))


def test_python_constants_are_the_cpp_ones():
    assert game.TIMEOUT == cpp_constant("kTimeout")
    assert game.NUM_ACTIONS == cpp_constant("kNumActions")


def test_the_engine_has_that_many_actions_and_times_out_at_that_step(engine):
    env = MazeEnv(1, "single", engine=engine, start_level=100_000, num_levels=1)
    assert env.ac_space.eltype.n == game.NUM_ACTIONS
    for step in range(1, game.TIMEOUT + 1):
        env.act(np.array([NOOP]))
        reward, _, first = env.observe()
        if first[0]:
            break
    assert (step, float(reward[0])) == (game.TIMEOUT, 0.0)
    env.close()
