"""The policy network against the original's checkpoint format (training.md §1) and an independent
functional forward pass written from the spec."""

import re

import numpy as np
import torch
import torch.nn.functional as F
import pytest

from workflow_scripts.agent import load_policy, new_policy

# training.md §1.4, in state-dict order.
ORIGINAL_SHAPES = [("embedder.block1.conv.weight", (16, 3, 3, 3)), ("embedder.block1.conv.bias", (16,))]
for _b, (_cin, _c) in enumerate([(3, 16), (16, 32), (32, 32)], start=1):
    if _b > 1:
        ORIGINAL_SHAPES += [(f"embedder.block{_b}.conv.weight", (_c, _cin, 3, 3)), (f"embedder.block{_b}.conv.bias", (_c,))]
    for _r in (1, 2):
        for _k in (1, 2):
            ORIGINAL_SHAPES += [(f"embedder.block{_b}.res{_r}.conv{_k}.weight", (_c, _c, 3, 3)),
                                (f"embedder.block{_b}.res{_r}.conv{_k}.bias", (_c,))]
ORIGINAL_SHAPES += [("embedder.fc.weight", (256, 2048)), ("embedder.fc.bias", (256,)), ("fc_policy.weight", (15, 256)),
                    ("fc_policy.bias", (15,)), ("fc_value.weight", (1, 256)), ("fc_value.bias", (1,))]


def original_checkpoint(seed=0):
    """A dict shaped like the original's model_<t>.pth: plain contiguous tensors, Adam state alongside."""
    g = torch.Generator().manual_seed(seed)
    state = {k: torch.randn(s, generator=g) * 0.05 for k, s in ORIGINAL_SHAPES}
    optimizer = {"state": {}, "param_groups": [{"lr": 5e-4, "betas": (0.9, 0.999), "eps": 1e-5, "weight_decay": 0,
                                                "amsgrad": False, "params": list(range(36))}]}
    return {"model_state_dict": state, "optimizer_state_dict": optimizer}


def reference_forward(sd, x):
    """The architecture of training.md §1.2, written with functional ops on NCHW tensors."""
    def res(x, p):
        return x + F.conv2d(F.relu(F.conv2d(F.relu(x), sd[p + "conv1.weight"], sd[p + "conv1.bias"], padding=1)),
                            sd[p + "conv2.weight"], sd[p + "conv2.bias"], padding=1)
    for b in (1, 2, 3):
        p = f"embedder.block{b}."
        x = F.conv2d(x, sd[p + "conv.weight"], sd[p + "conv.bias"], padding=1)
        x = F.max_pool2d(x, 3, 2, 1)
        x = res(res(x, p + "res1."), p + "res2.")
    x = F.relu(x).reshape(x.shape[0], -1)  # C-major: c * 64 + h * 8 + w
    h = F.relu(x @ sd["embedder.fc.weight"].T + sd["embedder.fc.bias"])
    logits = h @ sd["fc_policy.weight"].T + sd["fc_policy.bias"]
    return torch.log_softmax(logits, 1), (h @ sd["fc_value.weight"].T + sd["fc_value.bias"]).squeeze(1)


def test_state_dict_matches_the_original_layout():
    sd = new_policy().state_dict()
    assert [(k, tuple(v.shape)) for k, v in sd.items()] == ORIGINAL_SHAPES
    assert sum(v.numel() for v in sd.values()) == 626_256
    assert all(v.dtype == torch.float32 for v in sd.values())


def test_original_checkpoint_loads_strictly_and_computes_the_spec_forward(tmp_path):
    ckpt = original_checkpoint()
    path = tmp_path / "model_5046272.pth"
    torch.save(ckpt, path)
    policy = load_policy(path)
    obs = torch.randint(0, 256, (5, 64, 64, 3), dtype=torch.uint8)
    log_probs, values = policy.logits_and_value(obs)
    ref_lp, ref_v = reference_forward(ckpt["model_state_dict"], obs.permute(0, 3, 1, 2).float() / 255.0)
    torch.testing.assert_close(log_probs, ref_lp, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(values, ref_v, rtol=1e-4, atol=1e-5)
    assert log_probs.shape == (5, 15) and values.shape == (5,)


@pytest.mark.parametrize("change", ["missing", "extra", "shape"])
def test_mismatched_checkpoints_are_refused(tmp_path, change):
    ckpt = original_checkpoint()
    sd = ckpt["model_state_dict"]
    if change == "missing":
        del sd["fc_value.bias"]
    elif change == "extra":
        sd["embedder.gru.weight"] = torch.zeros(3)
    else:
        sd["fc_policy.weight"] = torch.zeros(16, 256)
    torch.save(ckpt, tmp_path / "m.pth")
    with pytest.raises(RuntimeError):
        load_policy(tmp_path / "m.pth")


def test_not_a_checkpoint(tmp_path):
    torch.save({"weights": torch.zeros(1)}, tmp_path / "m.pth")
    with pytest.raises(ValueError, match="model_state_dict"):
        load_policy(tmp_path / "m.pth")


def test_initialisation_follows_the_original():
    torch.manual_seed(0)
    policy = new_policy()
    for name, module in policy.embedder.named_modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            fan_in = module.weight[0].numel()
            fan_out = module.weight.shape[0] * module.weight[0, 0].numel()
            bound = (6 / (fan_in + fan_out)) ** 0.5  # Xavier-uniform, gain 1
            assert module.weight.abs().max() <= bound and module.weight.abs().max() > 0.9 * bound, name
            assert not module.bias.any(), name
    w = policy.fc_policy.weight.detach()
    torch.testing.assert_close(w @ w.T, 1e-4 * torch.eye(15), atol=1e-6, rtol=0)  # orthogonal rows, gain 0.01
    assert policy.fc_value.weight.norm().item() == pytest.approx(1.0, rel=1e-5)
    assert not policy.fc_policy.bias.any() and not policy.fc_value.bias.any()


def test_same_seed_same_init():
    torch.manual_seed(3)
    a = new_policy().state_dict()
    torch.manual_seed(3)
    b = new_policy().state_dict()
    torch.manual_seed(4)
    c = new_policy().state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["embedder.fc.weight"], c["embedder.fc.weight"])


@pytest.mark.parametrize("content, fragment", [
    (b"", "is empty"),
    (b"hello, this is a text file\n", "is not a PyTorch checkpoint"),  # torch.load alone: KeyError: 101
    (b"\x80\x02garbage", "is not a"),
])
def test_unreadable_checkpoint_names_the_file(tmp_path, content, fragment):
    path = tmp_path / "model_7.pth"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=fragment) as caught:
        load_policy(path)
    assert str(path) in str(caught.value)


def test_truncated_checkpoint_names_the_file(tmp_path):
    path = tmp_path / "model_7.pth"
    torch.save(original_checkpoint(), path)
    path.write_bytes(path.read_bytes()[:100_000])
    with pytest.raises(ValueError, match="truncated or corrupt") as caught:
        load_policy(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_weights_are_refused(tmp_path, value):
    ckpt = original_checkpoint()
    ckpt["model_state_dict"]["embedder.block2.res1.conv2.bias"][3] = value
    path = tmp_path / "model_5046272.pth"
    torch.save(ckpt, path)
    with pytest.raises(ValueError, match="non-finite") as caught:
        load_policy(path)
    assert str(path) in str(caught.value) and "embedder.block2.res1.conv2.bias" in str(caught.value)


@pytest.mark.parametrize("obs", [
    torch.zeros(2, 64, 64, 3),  # float frames would be scaled by 1/255 a second time, quietly
    torch.zeros(2, 3, 64, 64, dtype=torch.uint8),
    torch.zeros(2, 32, 32, 3, dtype=torch.uint8),
    torch.zeros(64, 64, 3, dtype=torch.uint8),
])
def test_wrong_frames_are_named(obs):
    with pytest.raises(ValueError, match=r"frames, uint8 \[N, 64, 64, 3\] \(a numpy array or a torch tensor\)") as caught:
        new_policy().logits_and_value(obs)
    assert str(list(obs.shape)) in str(caught.value)
    with pytest.raises(ValueError, match=re.escape(f"got torch.{str(obs.numpy().dtype)} {list(obs.shape)}")):
        new_policy().logits_and_value(obs.numpy())


def test_numpy_frames_as_the_engine_gives_them_equal_a_tensor():
    frames = np.random.default_rng(0).integers(0, 256, size=(3, 64, 64, 3), dtype=np.uint8)
    policy = new_policy()
    from_numpy, from_tensor = policy.logits_and_value(frames), policy.logits_and_value(torch.from_numpy(frames))
    for a, b in zip(from_numpy, from_tensor):
        assert torch.equal(a, b)
