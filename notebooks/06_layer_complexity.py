# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Representational complexity of a hidden layer over training
#
# How is the label represented across the hidden neurons: redundantly (every small group of
# neurons tells it) or synergistically (only large groups do)? The representational
# complexity of Ehrlich et al. (TMLR 2023) answers with one number: the I^sx atoms of the
# label given a set of neurons, weighted by their degree of synergy (the size of the smallest
# source set of an atom), `C = sum_m m Pi_m / I(T; S)`, between 1 (all redundant) and the number
# of sources. The hidden layers here are wider than the 5 sources of the largest lattice, so `C`
# is averaged over seeded random 5-neuron subsets (band: 2.5-97.5 % over subsets), as in the
# paper. The lattice-free Shannon invariants of the whole layer (average degree of
# redundancy, vulnerability) need no subsampling.
#
# Two networks on the bundled digits, with binary hidden states on a fixed probe set after each
# epoch: an infomorphic network (three-class hidden neurons, sampled +-1 outputs,
# `infomorph.train.fit`) and a backprop MLP (sigmoid hidden layer thresholded at 1/2,
# `infomorph.baselines.BackpropMLP`). The paper reports that complexity falls over training.
# All estimates are plug-in, as in the paper. With 100 neurons and 1000 probe samples nearly
# every sample has a joint state of its own, so `I(T; S) = I(T; S_-i) = H(T)`: the whole-layer
# invariants are saturated there (vulnerability 0) and tell more on smaller layers or groups.
# `FAST=1` trains small networks for a few epochs.

# %%
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

sys.path.insert(0, str(Path.cwd()))
from _style import FAST, save  # noqa: E402

from infomorph.baselines import BackpropMLP  # noqa: E402
from infomorph.data import load  # noqa: E402
from infomorph.train import fit  # noqa: E402
from pidtools.layer import layer_pid, shannon_invariants  # noqa: E402

n_hidden, epochs, n_probe, n_subsets = (12, 3, 300, 4) if FAST else (100, 30, 1000, 26)

# %% hidden states over training: infomorphic network (sampled outputs of the probe set)
_, record = fit(
    "digits",
    arch="hidden",
    n_hidden=n_hidden,
    epochs=epochs,
    batch_size=128,
    record_probe=n_probe,
    random_state=0,
    progress=False,
)
label = record["label"].values.astype(np.int64)
info_states = (record["output"].sel(layer="hidden").values[:, :n_hidden] > 0).astype(np.int8)

# %% backprop MLP on the same probe samples
data = load("digits")
X_probe, y_probe = data.X_train[:n_probe], data.y_train[:n_probe]
mlp = BackpropMLP(data.n_features, n_hidden, data.n_classes, lr=0.01, random_state=0)
rng = np.random.default_rng(0)
mlp_states = []
for _ in range(epochs):
    order = rng.permutation(len(data.y_train))
    for lo in range(0, len(order), 128):
        mlp.step(data.X_train[order[lo : lo + 128]], data.y_train[order[lo : lo + 128]])
    mlp_states.append((mlp._hidden(X_probe).T > 0.5).astype(np.int8))
mlp_states = np.stack(mlp_states)
print(f"MLP test accuracy {mlp.accuracy(*data.split('test')):.3f}")


# %% C, Pi_m and Shannon invariants per epoch
def analyse(states, target):
    out = {"C": [], "low": [], "high": [], "pi": [], "degree": [], "vulnerability": []}
    for e in range(states.shape[0]):
        lay = layer_pid(target, states[e], k=5, n_subsets=n_subsets, seed=e)
        inv = shannon_invariants(target, states[e])
        low, high = lay.band()
        out["C"].append(lay.complexity)
        out["low"].append(low)
        out["high"].append(high)
        out["pi"].append(lay.pi / lay.pi.sum())
        out["degree"].append(inv.redundancy_degree)
        out["vulnerability"].append(inv.vulnerability)
    return {k: np.asarray(v) for k, v in out.items()}


nets = {
    "infomorphic": analyse(info_states, label),
    "backprop MLP": analyse(mlp_states, y_probe.astype(np.int64)),
}
for name, res in nets.items():
    print(f"{name}: C from {res['C'][0]:.3f} (epoch 1) to {res['C'][-1]:.3f} (epoch {epochs})")

# %%
ep = np.arange(1, epochs + 1)
fig, axes = plt.subplots(1, 4, figsize=(14, 3.2), constrained_layout=True)
for (name, res), color in zip(nets.items(), ["C0", "C3"], strict=True):
    axes[0].plot(ep, res["C"], color=color, label=name)
    axes[0].fill_between(ep, res["low"], res["high"], color=color, alpha=0.2)
    axes[3].plot(ep, res["degree"], color=color, label=f"{name}: avg. degree of redundancy")
    axes[3].plot(ep, res["vulnerability"], color=color, ls="--", label=f"{name}: vulnerability")
axes[0].set(xlabel="epoch", ylabel="C", title="representational complexity (5-neuron subsets)")
axes[0].legend()
for ax, (name, res) in zip(axes[1:3], nets.items(), strict=True):
    bottom = np.zeros(epochs)
    for m in range(res["pi"].shape[1]):
        ax.fill_between(ep, bottom, bottom + res["pi"][:, m], label=f"m = {m + 1}", alpha=0.8)
        bottom += res["pi"][:, m]
    ax.set(xlabel="epoch", ylabel="Pi_m / I(T; S)", title=f"degree of synergy: {name}")
    ax.legend(fontsize=7, loc="lower left")
axes[3].set(xlabel="epoch", title=f"Shannon invariants ({n_hidden} neurons)")
axes[3].legend(fontsize=6)
paths = save(fig, "06_layer_complexity")
print(*paths, sep="\n")
