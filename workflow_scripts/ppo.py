"""PPO building blocks of the original `hard-500` trainer: GAE with timeouts as
terminal, the clipped policy and value losses, and return-based reward scaling."""

from dataclasses import dataclass

import torch


def gae(rewards: torch.Tensor, values: torch.Tensor, dones: torch.Tensor, last_value: torch.Tensor,
        gamma: float, lam: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Advantages and returns over a [T, N] rollout. dones[t] is true when step t ended the episode (goal
    or timeout alike: nothing is bootstrapped through an episode end). Returns = advantages + values."""
    advantages = torch.zeros_like(rewards)
    next_value, next_advantage = last_value, torch.zeros_like(last_value)
    for t in reversed(range(rewards.shape[0])):
        live = 1.0 - dones[t].float()
        delta = rewards[t] + gamma * next_value * live - values[t]
        next_advantage = delta + gamma * lam * live * next_advantage
        advantages[t] = next_advantage
        next_value = values[t]
    return advantages, advantages + values


def normalize_advantages(advantages: torch.Tensor) -> torch.Tensor:
    """Once per iteration over the whole batch, with the unbiased standard deviation."""
    return (advantages - advantages.mean()) / (advantages.std() + 1e-8)


@dataclass
class Losses:
    total: torch.Tensor
    policy: torch.Tensor
    value: torch.Tensor
    entropy: torch.Tensor
    approx_kl: torch.Tensor
    clip_fraction: torch.Tensor


def ppo_losses(log_probs: torch.Tensor, actions: torch.Tensor, old_log_probs: torch.Tensor,
               advantages: torch.Tensor, values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor,
               clip: float, value_coef: float, entropy_coef: float) -> Losses:
    """log_probs: [B, A] of the current policy; everything else [B]. Value clipping reuses the policy clip."""
    new_log_prob = log_probs.gather(1, actions.unsqueeze(1)).squeeze(1)
    log_ratio = new_log_prob - old_log_probs
    ratio = log_ratio.exp()
    policy_loss = -torch.min(ratio * advantages, ratio.clamp(1.0 - clip, 1.0 + clip) * advantages).mean()
    clipped_values = old_values + (values - old_values).clamp(-clip, clip)
    value_loss = 0.5 * torch.max((values - returns) ** 2, (clipped_values - returns) ** 2).mean()
    entropy = -(log_probs.exp() * log_probs).sum(1).mean()
    with torch.no_grad():
        approx_kl = ((ratio - 1) - log_ratio).mean()
        clip_fraction = ((ratio - 1).abs() > clip).float().mean()
    total = policy_loss + value_coef * value_loss - entropy_coef * entropy
    return Losses(total, policy_loss, value_loss, entropy, approx_kl, clip_fraction)


class RewardScaler:
    """Divides rewards by the running standard deviation of each env's discounted return (no centring),
    then clips: baselines' VecNormalize with ob=False, as the original trainer used it."""

    def __init__(self, num_envs: int, gamma: float = 0.99, clip: float = 10.0, epsilon: float = 1e-8) -> None:
        self.gamma, self.clip, self.epsilon = gamma, clip, epsilon
        self.returns = torch.zeros(num_envs, dtype=torch.float64)
        self.mean = torch.zeros((), dtype=torch.float64)
        self.var = torch.ones((), dtype=torch.float64)
        self.count = torch.tensor(1e-4, dtype=torch.float64)

    def __call__(self, rewards: torch.Tensor, dones: torch.Tensor) -> torch.Tensor:
        raw = rewards.to(torch.float64)
        self.returns = self.returns * self.gamma + raw
        self._update(self.returns)
        scaled = (raw / torch.sqrt(self.var + self.epsilon)).clamp(-self.clip, self.clip)
        self.returns[dones] = 0.0
        return scaled.to(torch.float32)

    def _update(self, batch: torch.Tensor) -> None:
        """Chan et al.'s parallel merge of (mean, var, count) with a batch's population moments."""
        batch_mean, batch_var, batch_count = batch.mean(), batch.var(unbiased=False), batch.numel()
        delta = batch_mean - self.mean
        total = self.count + batch_count
        m2 = self.var * self.count + batch_var * batch_count + delta**2 * self.count * batch_count / total
        self.mean = self.mean + delta * batch_count / total
        self.var = m2 / total
        self.count = total

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {"returns": self.returns.clone(), "mean": self.mean, "var": self.var, "count": self.count}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.returns, self.mean, self.var, self.count = (state[k].clone() for k in ("returns", "mean", "var", "count"))
