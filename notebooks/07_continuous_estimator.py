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
# # Continuous I^sx: binned estimators against the nearest-neighbour estimator
#
# Two distributions with known densities: a jointly Gaussian target and two sources, and a
# binary target with Gaussian-mixture sources. Their continuous I^sx atoms (on the rank scale,
# i.e. for uniform margins) are integrated numerically (`pidtools.testing`). From samples of
# growing size N the atoms are estimated three ways:
#
# - binned plug-in: 8 quantile bins per continuous variable, atoms of the empirical pmf;
# - binned shuffle-corrected: the same minus the mean over target-shuffled nulls;
# - nearest neighbours (`pidtools.knn.estimate_knn`, k = 4), no binning.
#
# Binned estimates converge to the atoms of the *binned* variables, which differ from the
# continuous ones; the nearest-neighbour estimate converges to the continuous atoms.
# `FAST=1` runs a reduced version in seconds.

# %%
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path.cwd()))
from _style import FAST, plt, save  # noqa: E402

import pidtools  # noqa: E402
from pidtools.knn import estimate_knn  # noqa: E402
from pidtools.lattice import lattice  # noqa: E402
from pidtools.testing import gaussian_sx_nodes, mixture_sx_nodes  # noqa: E402

sizes = [200, 600] if FAST else [250, 500, 1000, 2000, 4000, 8000, 16000]
repeats = 3 if FAST else 20
shuffles = 5 if FAST else 30
bins = 8
mobius, labels = lattice(2).mobius, lattice(2).labels

cov = np.array([[1.0, 0.6, 0.6], [0.6, 1.0, 0.3], [0.6, 0.3, 1.0]])
means, mix_cov = [[0.0, 0.0], [1.0, 1.0]], np.array([[1.0, 0.3], [0.3, 1.0]])
cases = {
    "Gaussian T, S1, S2": (mobius @ gaussian_sx_nodes(cov), False),
    "binary T, Gaussian-mixture S1, S2": (mobius @ mixture_sx_nodes(means, mix_cov), True),
}


def draw(mixed, n, rng):
    """``repeats`` independent samples of size n: target (repeats, n), sources list."""
    if mixed:
        t = rng.integers(0, 2, (repeats, n))
        s = rng.multivariate_normal([0, 0], mix_cov, size=(repeats, n)) + np.asarray(means)[t]
        return t, [s[..., 0], s[..., 1]]
    x = rng.multivariate_normal(np.zeros(3), cov, size=(repeats, n))
    return x[..., 0], [x[..., 1], x[..., 2]]


for name, (truth, _) in cases.items():
    print(name, dict(zip(labels, truth.round(4), strict=True)))

# %%
results = {}  # (case, estimator) -> array (len(sizes), repeats, 4)
for name, (truth, mixed) in cases.items():
    rng = np.random.default_rng(7)
    runs = {"plugin": [], "shuffle": [], "knn": []}
    for n in sizes:
        t, s = draw(mixed, n, rng)
        tbins = None if mixed else bins
        binned = dict(bins=[tbins, bins, bins], binning="quantile", random_state=1)
        runs["plugin"].append(pidtools.estimate(t, s, **binned).atoms)
        runs["shuffle"].append(
            pidtools.estimate(t, s, estimator="shuffle", n_shuffles=shuffles, **binned).atoms
        )
        runs["knn"].append(estimate_knn(t, s, k=4).atoms)
    for est, values in runs.items():
        results[name, est] = np.array(values)
        err = results[name, est].mean(axis=1)[-1] - truth
        print(name, est, "error at N =", sizes[-1], dict(zip(labels, err.round(4), strict=True)))

# %%
titles = {"{1}{2}": "redundancy", "{1}": "unique S1", "{2}": "unique S2", "{12}": "synergy"}
styles = {
    "plugin": ("tab:red", "o", f"binned plug-in ({bins} quantile bins)", 0.95),
    "shuffle": ("tab:blue", "s", "binned shuffle-corrected", 1.0),
    "knn": ("black", "D", "nearest neighbours (k = 4)", 1.05),
}
fig, axes = plt.subplots(
    len(cases), 4, figsize=(12, 6), sharex=True, constrained_layout=True, squeeze=False
)
for row, (name, (truth, _)) in zip(axes, cases.items(), strict=True):
    for i, (ax, lab) in enumerate(zip(row, labels, strict=True)):
        for est, (color, marker, label, shift) in styles.items():
            err = results[name, est][:, :, i] - truth[i]
            ax.errorbar(
                np.asarray(sizes) * shift, err.mean(axis=1), yerr=err.std(axis=1),
                color=color, marker=marker, ms=4, capsize=2, label=label,
            )  # fmt: skip
        ax.axhline(0, color="0.4", lw=0.8)
        ax.set_xscale("log")
        ax.set_title(f"{titles[lab]} {lab}\n(continuous {truth[i]:.3f} bit)")
    row[0].set_ylabel(f"{name}\nestimate − truth (bit)")
for ax in axes[-1]:
    ax.set_xlabel("samples N")
handles, names = axes[0, 0].get_legend_handles_labels()
fig.legend(handles, names, loc="outside lower center", ncols=3, frameon=False)
fig.suptitle(f"Continuous I$^{{sx}}$ atoms from samples (mean ± std over {repeats} repeats)")
paths = save(fig, "07_continuous_estimator")
print(*paths, sep="\n")
