"""The paper's agent: an IMPALA-CNN policy whose module names, shapes, flatten order and input scaling
match the original's, so published checkpoints load with strict=True."""

import os
import pickle
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from workflow_scripts.game import NUM_ACTIONS

FRAME_SHAPE = (64, 64, 3)


class ResidualBlock(nn.Module):
    """Pre-activation residual block: x + conv2(relu(conv1(relu(x))))."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(F.relu(x))))


class ImpalaBlock(nn.Module):
    """conv -> max-pool 3/2/1 (implicit -inf padding) -> two residual blocks; halves the resolution."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
        self.res1 = ResidualBlock(out_channels)
        self.res2 = ResidualBlock(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(self.conv(x), kernel_size=3, stride=2, padding=1)
        return self.res2(self.res1(x))


class ImpalaModel(nn.Module):
    """The embedder: three blocks (16, 32, 32 channels), ReLU, C-major flatten, fc to 256, ReLU."""

    def __init__(self) -> None:
        super().__init__()
        self.block1 = ImpalaBlock(3, 16)
        self.block2 = ImpalaBlock(16, 32)
        self.block3 = ImpalaBlock(32, 32)
        self.fc = nn.Linear(32 * 8 * 8, 256)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.block3(self.block2(self.block1(x))))
        return F.relu(self.fc(torch.flatten(x, 1)))


def _xavier(module: nn.Module) -> None:
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.xavier_uniform_(module.weight, gain=1.0)
        nn.init.zeros_(module.bias)


def _orthogonal(layer: nn.Linear, gain: float) -> nn.Linear:
    nn.init.orthogonal_(layer.weight, gain=gain)
    nn.init.zeros_(layer.bias)
    return layer


class Policy(nn.Module):
    """Categorical policy over 15 actions and a state value, from one 64x64 RGB frame."""

    def __init__(self) -> None:
        super().__init__()
        self.embedder = ImpalaModel()
        self.embedder.apply(_xavier)  # after PyTorch's default init, as in the original
        self.fc_policy = _orthogonal(nn.Linear(256, NUM_ACTIONS), gain=0.01)
        self.fc_value = _orthogonal(nn.Linear(256, 1), gain=1.0)
        self.source: Path | None = None  # the checkpoint it was loaded from, for error messages

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x: float [N, 3, 64, 64] in [0, 1]. Returns (log-probabilities [N, 15], values [N])."""
        hidden = self.embedder(x)
        return F.log_softmax(self.fc_policy(hidden), dim=1), self.fc_value(hidden).squeeze(1)

    def logits_and_value(self, obs: torch.Tensor | np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """obs: the engine's uint8 [N, 64, 64, 3] frames, a numpy array (as MazeEnv gives them) or a torch
        tensor. Returns (log-probabilities [N, 15], values [N]) on the policy's device."""
        if isinstance(obs, np.ndarray):
            obs = torch.from_numpy(obs)
        # A float or NCHW frame would still run (or fail deep inside a layer) and give a wrong answer.
        if not isinstance(obs, torch.Tensor) or obs.dtype != torch.uint8 or obs.dim() != 4 or \
                tuple(obs.shape[1:]) != FRAME_SHAPE:
            got = f"{obs.dtype} {list(obs.shape)}" if isinstance(obs, torch.Tensor) else type(obs).__name__
            raise ValueError(f"logits_and_value takes the engine's frames, uint8 [N, 64, 64, 3] (a numpy array or "
                             f"a torch tensor); got {got}")
        return self(prepare_obs(obs.to(next(self.parameters()).device)))


def prepare_obs(obs: torch.Tensor) -> torch.Tensor:
    """uint8 NHWC frames -> float32 NCHW in [0, 1]; channels-last memory, which is what fast CPU and GPU
    convolutions want, with the same logical layout the original used."""
    x = obs.permute(0, 3, 1, 2).float().div_(255.0)
    return x.contiguous(memory_format=torch.channels_last)


def new_policy(device: str | torch.device = "cpu") -> Policy:
    """A freshly initialised policy, created on the CPU (as the original) and moved to `device`."""
    return Policy().to(device=device, memory_format=torch.channels_last)


def _read_checkpoint(path: Path) -> object:
    """torch.load (weights only), with errors that name the file and say what is wrong with it."""
    if path.is_file() and path.stat().st_size == 0:
        raise ValueError(f"{path} is empty, not a checkpoint (an interrupted copy or download?)")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        raise ValueError(f"{path} is not a weights-only PyTorch checkpoint: it is corrupt, or it holds Python "
                         f"objects that loading would have to run as code, which is refused") from err
    except (EOFError, KeyError, RuntimeError, ValueError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is not a PyTorch checkpoint, or is truncated or corrupt "
                         f"({type(err).__name__}: {err})") from err


def load_policy(path: str | os.PathLike[str], device: str | torch.device = "cpu") -> Policy:
    """A policy from a checkpoint, in the original format or ours (both hold `model_state_dict`). Read to
    the CPU first, whatever device the file's tensors were saved from, then moved once."""
    path = Path(path)
    checkpoint = _read_checkpoint(path)
    if not isinstance(checkpoint, dict) or "model_state_dict" not in checkpoint:
        raise ValueError(f"{path} is not a policy checkpoint: no 'model_state_dict' key")
    policy = new_policy("cpu")
    try:
        policy.load_state_dict(checkpoint["model_state_dict"], strict=True)
    except RuntimeError as err:
        raise RuntimeError(f"{path} does not hold the paper's agent: {err}") from err
    # NaN weights would evaluate quietly: every action NaN-sampled, every level a timeout.
    broken = [name for name, tensor in policy.state_dict().items() if not torch.isfinite(tensor).all()]
    if broken:
        raise ValueError(f"{path} has non-finite (NaN or infinite) weights in {', '.join(broken)}: the run that "
                         f"wrote it diverged or the file is damaged")
    policy.source = path
    return policy.to(device=device, memory_format=torch.channels_last).eval()
