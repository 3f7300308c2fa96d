"""PPO pieces against values computed by hand."""

import math

import numpy as np
import pytest
import torch

from workflow_scripts.ppo import RewardScaler, gae, normalize_advantages, ppo_losses


def test_gae_by_hand():
    # gamma 0.9, lambda 0.8; the episode ends at step 1, so step 0 does not see step 2's reward.
    rewards = torch.tensor([[1.0], [0.0], [2.0]])
    values = torch.tensor([[0.5], [0.4], [0.3]])
    dones = torch.tensor([[False], [True], [False]])
    adv, ret = gae(rewards, values, dones, torch.tensor([0.2]), gamma=0.9, lam=0.8)
    # A2 = 2 + .9*.2 - .3 = 1.88;  A1 = 0 - .4 = -.4 (terminal);  A0 = 1 + .9*.4 - .5 + .9*.8*(-.4) = .572
    np.testing.assert_allclose(adv.squeeze(1).numpy(), [0.572, -0.4, 1.88], rtol=1e-6)
    np.testing.assert_allclose(ret.squeeze(1).numpy(), [1.072, 0.0, 2.18], rtol=1e-6)


def test_gae_timeout_is_terminal_per_env():
    rewards = torch.zeros(2, 2)
    values = torch.ones(2, 2)
    dones = torch.tensor([[False, True], [False, False]])
    adv, _ = gae(rewards, values, dones, torch.ones(2), gamma=1.0, lam=1.0)
    # env 0 bootstraps through both steps: delta = 0 everywhere. env 1's first step is terminal: -1.
    np.testing.assert_allclose(adv.numpy(), [[0.0, -1.0], [0.0, 0.0]])


def test_advantage_normalisation_uses_unbiased_std():
    x = torch.tensor([1.0, 2.0, 3.0, 6.0])
    out = normalize_advantages(x)
    std = math.sqrt(((x - 3.0) ** 2).sum().item() / 3)  # N - 1
    np.testing.assert_allclose(out.numpy(), ((x - 3.0) / (std + 1e-8)).numpy(), rtol=1e-6)


def test_ppo_losses_by_hand():
    log_probs = torch.log(torch.tensor([[0.5, 0.5], [0.25, 0.75]]))
    losses = ppo_losses(
        log_probs, actions=torch.tensor([0, 1]), old_log_probs=torch.log(torch.tensor([0.4, 0.75])),
        advantages=torch.tensor([1.0, -1.0]), values=torch.tensor([1.0, 0.0]), old_values=torch.tensor([0.5, 0.5]),
        returns=torch.tensor([2.0, 0.0]), clip=0.2, value_coef=0.5, entropy_coef=0.01,
    )
    # ratios 1.25 (clipped to 1.2 for a positive advantage) and 1.0: -(1.2 - 1) / 2
    assert losses.policy.item() == pytest.approx(-0.1)
    # clipped values 0.7, 0.3; max squared errors 1.69 and 0.09: 0.5 * mean
    assert losses.value.item() == pytest.approx(0.445)
    entropy = (math.log(2) + 0.25 * math.log(4) + 0.75 * math.log(4 / 3)) / 2
    assert losses.entropy.item() == pytest.approx(entropy, rel=1e-6)
    assert losses.total.item() == pytest.approx(-0.1 + 0.5 * 0.445 - 0.01 * entropy, rel=1e-6)
    assert losses.clip_fraction.item() == pytest.approx(0.5)


def test_ppo_policy_gradient_direction():
    """A positive advantage must raise the taken action's probability."""
    logits = torch.zeros(1, 3, requires_grad=True)
    log_probs = torch.log_softmax(logits, 1)
    losses = ppo_losses(log_probs, torch.tensor([2]), log_probs.detach()[:, 2], torch.tensor([1.0]),
                        torch.zeros(1), torch.zeros(1), torch.zeros(1), 0.2, 0.5, 0.0)
    losses.total.backward()
    assert logits.grad[0, 2] < 0 and logits.grad[0, 0] > 0


def test_reward_scaler_matches_direct_statistics():
    """The running moments equal the population statistics of every discounted return seen so far,
    together with the prior (mean 0, variance 1, weight 1e-4)."""
    rng = np.random.RandomState(0)
    scaler = RewardScaler(3, gamma=0.99, clip=10.0)
    returns, seen = np.zeros(3), []
    for _ in range(50):
        raw = rng.choice([0.0, 0.0, 10.0], size=3).astype(np.float32)
        done = rng.rand(3) < 0.2
        out = scaler(torch.from_numpy(raw), torch.from_numpy(done))
        returns = returns * 0.99 + raw
        seen.extend(returns)
        x = np.array(seen)
        total = 1e-4 + x.size
        mean = x.sum() / total
        var = (1e-4 * 1.0 + 1e-4 * mean**2 + ((x - mean) ** 2).sum()) / total
        np.testing.assert_allclose(out.numpy(), np.clip(raw / np.sqrt(var + 1e-8), -10, 10), rtol=1e-5)
        returns[done] = 0.0


def test_reward_scaler_state_round_trip():
    a = RewardScaler(2)
    a(torch.tensor([10.0, 0.0]), torch.tensor([False, True]))
    b = RewardScaler(2)
    b.load_state_dict(a.state_dict())
    for _ in range(3):
        r, d = torch.tensor([0.0, 10.0]), torch.tensor([True, False])
        assert torch.equal(a(r, d), b(r, d))
