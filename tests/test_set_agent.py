"""MazeEnv.set_agent puts the agent on a cell without playing: its frames are the frames reached by playing
there, pixel for pixel, and everything else about the episode is unchanged."""

import numpy as np
import pytest

from workflow_scripts.maze import MazeEnv

WALL, SPACE, OBJ1 = 51, 100, 2
MOVES = {1: (-1, 0), 3: (0, -1), 5: (0, 1), 7: (1, 0)}  # left, down, up, right (maze-game.md §4.2)
GAMES = [("single", {"world_dim": 5}), ("duel", {"world_dim": 7, "obj1": "red_line_diag", "obj2": "yellow_gem"}),
         ("single", {"world_dim": 5, "background": "textured"}), ("procgen_maze", {})]


def played_frames(game: str, level: int, options: dict, steps: int = 1500) -> tuple[np.ndarray, dict]:
    """A random walk that never steps onto an object (that would end the episode; a timeout restarts the
    same level): the level's grid and the frame first seen at each (x, y, facing right)."""
    env = MazeEnv(1, game, level_seeds=[level], **options)
    grid = env.get_grid()[0]
    rng = np.random.default_rng(level)
    frames = {}
    for _ in range(steps):
        x, y, right = env.get_agent()[0]
        frames.setdefault((int(x), int(y), bool(right)), env.observe()[1]["rgb"][0].copy())
        allowed = [a for a, (dx, dy) in MOVES.items()
                   if not (0 <= x + dx < len(grid) and 0 <= y + dy < len(grid)) or grid[y + dy, x + dx] in (WALL, SPACE)]
        env.act(np.array([rng.choice(allowed)], dtype=np.int32))
        assert env.observe()[0][0] == 0, "the walk never collects an object"
    env.close()
    return grid, frames


def reachable(grid: np.ndarray, start: tuple[int, int]) -> set[tuple[int, int]]:
    """Open cells reachable from start without crossing an object (breadth-first)."""
    seen, todo = {start}, [start]
    while todo:
        x, y = todo.pop()
        for dx, dy in MOVES.values():
            cell = (x + dx, y + dy)
            if 0 <= cell[0] < len(grid) and 0 <= cell[1] < len(grid) and grid[cell[1], cell[0]] == SPACE \
                    and cell not in seen:
                seen.add(cell)
                todo.append(cell)
    return seen


@pytest.mark.parametrize("game, options", GAMES)
@pytest.mark.parametrize("level", [0, 100_033])
def test_placed_frames_equal_played_frames(engine, game, options, level):
    grid, frames = played_frames(game, level, options)
    start = next((x, y) for x, y, right in frames if not right)
    cells = reachable(grid, start)
    assert {(x, y) for x, y, _ in frames} == cells, "the walk reaches every open cell it can"
    assert len(frames) > len(cells), "and some of them facing both ways"
    env = MazeEnv(1, game, level_seeds=[level], **options)
    for (x, y, right), played in frames.items():
        env.set_agent(0, x, y, facing_right=right)
        placed = env.observe()[1]["rgb"][0]
        differing = int((placed != played).any(axis=-1).sum())
        assert differing == 0, f"cell ({x}, {y}) facing {'right' if right else 'left'}: {differing} pixels differ"
        np.testing.assert_array_equal(env.get_agent()[0], [x, y, int(right)])
    env.close()


def test_placement_is_not_a_step(engine):
    env = MazeEnv(2, "single", level_seeds=[5, 6])
    grid = env.get_grid()[0]
    gy, gx = (int(v[0]) for v in np.nonzero(grid == OBJ1))
    # A cell beside the goal from which one move reaches it.
    action, (x, y) = next((a, (gx - dx, gy - dy)) for a, (dx, dy) in MOVES.items()
                          if 0 <= gx - dx < 5 and 0 <= gy - dy < 5 and grid[gy - dy, gx - dx] == SPACE)
    other_before = env.observe()[1]["rgb"][1].copy()
    env.set_agent(0, x, y)
    rew, ob, first = env.observe()
    assert rew[0] == 0 and first[0], "still the episode's first observation, with no reward"
    np.testing.assert_array_equal(ob["rgb"][1], other_before)  # the other env is untouched
    env.act(np.array([action, 4], dtype=np.int32))
    rew, _, first = env.observe()
    assert rew[0] == 10 and first[0], "the next step collects the goal from the placed cell"
    env.close()


@pytest.mark.parametrize("where, fragment", [
    ("wall", "is a wall"), ("object", "holds an object"), ((5, 0), "is outside the 5x5 world"),
    ((0, -1), "is outside the 5x5 world"), ((-3, 2), "is outside the 5x5 world")])
def test_bad_cells_are_refused(engine, where, fragment):
    env = MazeEnv(1, "duel", level_seeds=[3])
    grid = env.get_grid()[0]
    if isinstance(where, str):
        ys, xs = np.nonzero(grid == WALL) if where == "wall" else np.nonzero((grid == 2) | (grid == 3))
        where = (int(xs[0]), int(ys[0]))
    before = (env.get_agent().copy(), env.observe()[1]["rgb"].copy())
    with pytest.raises(ValueError, match=rf"x={where[0]}, y={where[1]}\): cell \({where[0]}, {where[1]}\) {fragment}"):
        env.set_agent(0, *where)
    np.testing.assert_array_equal(env.get_agent(), before[0])
    np.testing.assert_array_equal(env.observe()[1]["rgb"], before[1])
    env.close()


@pytest.mark.parametrize("args, error, fragment", [
    ((1, 0, 0), ValueError, "env index 1 is out of range for 1 env"), ((0, 1.0, 0), TypeError, "x must be an int"),
    ((True, 0, 0), TypeError, "index must be an int"), ((0, 0, 2**40), ValueError, "y = 1099511627776")])
def test_bad_arguments_are_refused(engine, args, error, fragment):
    env = MazeEnv(1, "duel", level_seeds=[3])
    with pytest.raises(error, match=fragment):
        env.set_agent(*args)
    env.close()
