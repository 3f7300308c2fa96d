"""Pictures made by the engine itself: the train/test illustration and GIFs of agents, as the original's video scripts made them.

A GIF is made as the original's video scripts made theirs: levels 100,000, 100,001, ... are played one
episode each; an episode of k steps gives k frames (its first frame and the frame after each step but
the last, which already shows the next level); frames are concatenated and cut to a fixed count, upscaled
6x by nearest neighbour and written at 200 ms per frame, looping forever.
"""

import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import imageio.v3 as iio
import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from workflow_scripts.agent import Policy, load_policy
from workflow_scripts.atomic import atomic_path
from workflow_scripts.evaluate import action_uniforms, sample_actions
from workflow_scripts.game import TIMEOUT
from workflow_scripts.maze import MazeEnv
from workflow_scripts.objects import object_label


def episode_frames(policy: Policy, game: str, level: int, seed: int = 0, **env_options: Any) -> Iterator[np.ndarray]:
    """The frames of the agent's first episode on one level, each 64x64x3 uint8, with the level's own
    action stream (evaluate.action_uniforms), so the episode is the one evaluation plays."""
    env = MazeEnv(1, game, level_seeds=[int(level)], **env_options)
    uniforms = action_uniforms(seed, [level])[0]
    policy.eval()
    device = next(policy.parameters()).device
    try:
        for t in range(TIMEOUT):
            frame = env.observe()[1]["rgb"]
            yield frame[0].copy()
            with torch.no_grad():
                log_probs = policy.logits_and_value(torch.from_numpy(frame).to(device))[0].float().cpu()
            env.act(sample_actions(log_probs, uniforms[t:t + 1]).numpy().astype(np.int32))
            if env.observe()[2][0]:
                return
    finally:
        env.close()


def agent_frames(policy: Policy, game: str, num_frames: int, first_level: int = 100_000, seed: int = 0,
                 **env_options: Any) -> np.ndarray:
    """num_frames frames, [num_frames, 64, 64, 3], of consecutive levels' episodes from first_level on."""
    if num_frames < 1:
        raise ValueError(f"a GIF needs at least one frame, got {num_frames}")
    frames: list[np.ndarray] = []
    level = first_level
    while len(frames) < num_frames:
        frames.extend(episode_frames(policy, game, level, seed, **env_options))
        level += 1
    return np.stack(frames[:num_frames])


def write_gif(frames: np.ndarray, path: str | os.PathLike[str], scale: int = 6, duration_ms: int = 200) -> None:
    """Frames [T, H, W, 3] upscaled by nearest neighbour, as a GIF looping forever, written atomically."""
    big = frames.repeat(scale, axis=1).repeat(scale, axis=2)
    with atomic_path(path) as tmp:
        iio.imwrite(tmp, big, extension=".gif", duration=duration_ms, loop=0)


def agent_gif(model: str | os.PathLike[str], path: str | os.PathLike[str], game: str, num_frames: int,
              first_level: int, seed: int, scale: int, duration_ms: int, **env_options: Any) -> None:
    """A GIF of a trained agent in its training game (game 'single') or a duel pair (game 'duel')."""
    frames = agent_frames(load_policy(model), game, num_frames, first_level, seed, **env_options)
    write_gif(frames, path, scale, duration_ms)


def illustration(train_frame: np.ndarray, test_frame: np.ndarray, labels: Sequence[str] = ("Train", "Test"),
                 scale: int = 4, gap: int = 24) -> np.ndarray:
    """Two 64x64 frames upscaled side by side on black, each under its label (which may have two lines) and
    outlined in grey, since a black-background maze has no visible edge of its own."""
    size = 64 * scale
    label_height = 64
    sheet = Image.new("RGB", (2 * size + 3 * gap, size + label_height + gap), "black")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=20)
    for i, (frame, label) in enumerate(zip((train_frame, test_frame), labels)):
        x = gap + i * (size + gap)
        sheet.paste(Image.fromarray(frame.repeat(scale, 0).repeat(scale, 1)), (x, label_height))
        draw.rectangle((x - 2, label_height - 2, x + size + 1, label_height + size + 1), outline=(110, 110, 110))
        draw.multiline_text((x + size / 2, 8), label, fill="white", font=font, anchor="ma", align="center")
    return np.asarray(sheet)


def train_test_illustration(goal: str, obj1: str, obj2: str, background: str, world_dim: int, train_level: int,
                            test_level: int, colours: Mapping[str, Sequence[int]] | None = None,
                            engine: str | os.PathLike[str] | None = None) -> np.ndarray:
    """The paper's opening figure from the engine: a level of the training game beside one of the duel."""
    frames = []
    for game, level, objects in [("single", train_level, {"goal": goal}),
                                 ("duel", test_level, {"obj1": obj1, "obj2": obj2})]:
        env = MazeEnv(1, game, colours=colours, engine=engine, level_seeds=[level], background=background,
                      world_dim=world_dim, **objects)
        frames.append(env.observe()[1]["rgb"][0].copy())
        env.close()
    return illustration(*frames, labels=(f"Train\n{object_label(goal)}",
                                         f"Test\n{object_label(obj1)} vs {object_label(obj2)}"))
