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
# # Estimator validation: bias and spread of every atom against the sample size
#
# Samples are drawn from a known pmf (a noisy AND gate with a 4-valued second source, so that
# every atom is non-zero), the atoms are estimated with the plug-in estimator and with the
# shuffle-corrected one (plug-in minus the mean over target-shuffled nulls), and compared with
# the exact atoms of the pmf. `FAST=1` runs a reduced version in seconds.

# %%
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path.cwd()))
from _style import FAST, plt, save  # noqa: E402

import pidtools  # noqa: E402
from pidtools.convergence import convergence  # noqa: E402

# T = S1 AND (S2 > 1), flipped with probability 0.1; S1 uniform on 2 values, S2 on 4
pmf = np.zeros((2, 2, 4))
for s1 in range(2):
    for s2 in range(4):
        t = int(s1 and s2 > 1)
        pmf[t, s1, s2] += 0.9 / 8
        pmf[1 - t, s1, s2] += 0.1 / 8
exact = pidtools.pid(pmf)
print(exact)

sizes = [100, 400, 2000] if FAST else [50, 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600]
repeats = 5 if FAST else 100
shuffles = 10 if FAST else 50

# %%
runs = {
    est: convergence(
        pmf,
        sizes,
        measure="sx",
        estimator=est,
        n_repeats=repeats,
        random_state=1,
        n_shuffles=shuffles,
    )
    for est in ("plugin", "shuffle")
}
for est, ds in runs.items():
    print(est)
    print(ds["bias"].to_pandas().round(4))

# %%
labels = list(exact.labels)
names = {
    "{1}{2}": "redundancy {1}{2}",
    "{1}": "unique {1}",
    "{2}": "unique {2}",
    "{12}": "synergy {12}",
}
fig, axes = plt.subplots(1, len(labels), figsize=(12, 3.2), sharex=True, constrained_layout=True)
styles = {
    "plugin": ("tab:red", "o", "plug-in", 0.96),
    "shuffle": ("tab:blue", "s", "shuffle-corrected", 1.04),
}
for ax, lab in zip(axes, labels, strict=True):
    for est, ds in runs.items():
        color, marker, name, shift = styles[est]
        bias = ds["bias"].sel(atom=lab).values
        std = ds["std"].sel(atom=lab).values
        ax.errorbar(
            np.asarray(sizes) * shift,
            bias,
            yerr=std,
            color=color,
            marker=marker,
            ms=4,
            capsize=2,
            label=name,
        )
    ax.axhline(0, color="0.4", lw=0.8)
    ax.set_xscale("log")
    ax.set_title(f"{names[lab]}\n(exact {exact[lab]:.3f} bit)")
    ax.set_xlabel("samples N")
axes[0].set_ylabel("estimate − exact (bit)\nmean ± std over repeats")
axes[0].legend(frameon=False)
fig.suptitle(f"I$^{{sx}}$ atoms from samples of a 2×2×4 pmf ({repeats} repeats per N)")
paths = save(fig, "02_estimators")
print(*paths, sep="\n")

# %% [markdown]
# ## Calibration on independent data: is an atom above noise?
#
# Target and sources are drawn independently, so every atom is 0. Left: how often a unit gets
# an atom called significant (max-T adjusted permutation p-values over its atoms, the default
# of `infomorph analyze`), and how often a single atom's unadjusted one-sided p-value falls
# below the level, against the nominal level; the grey band is the binomial ±2σ band of the
# number of units. Right: the mean synergy over units for the plug-in estimator (8
# equal-count bins), the shuffle-corrected one (same bins) and the default (auto binning and
# bin count, shuffle-corrected), against the sample size.

# %%
from pidtools.calibration import null_calibration  # noqa: E402

cal_units = 60 if FAST else 1000
cal_shuffles = 30 if FAST else 100
alphas = (0.01, 0.02, 0.05, 0.1, 0.2)
configs = [(2, "continuous", 8), (3, "continuous", 4), (2, "discrete", "auto")]
calib = {
    cfg: null_calibration(
        n_units=cal_units,
        n_samples=500,
        n_sources=cfg[0],
        kind=cfg[1],
        bins=cfg[2],
        n_shuffles=cal_shuffles,
        alphas=alphas,
        random_state=20 + i,
    )  # fmt: skip
    for i, cfg in enumerate(configs)
}
bias_sizes = [200, 1000] if FAST else [200, 500, 1000, 2000, 5000, 10000]
bias_units = 20 if FAST else 200
bias = {"plug-in (8 bins)": [], "shuffle-corrected (8 bins)": [], "default (auto)": []}
for n in bias_sizes:
    fixed = null_calibration(n_units=bias_units, n_samples=n, kind="continuous", bins=8,
                             binning="quantile", n_shuffles=cal_shuffles, random_state=n)  # fmt: skip
    auto = null_calibration(n_units=bias_units, n_samples=n, kind="continuous",
                            n_shuffles=cal_shuffles, random_state=n + 1)  # fmt: skip
    k = list(fixed.labels).index("{12}")
    bias["plug-in (8 bins)"].append(fixed.plugin_mean[k])
    bias["shuffle-corrected (8 bins)"].append(fixed.corrected_mean[k])
    bias["default (auto)"].append(auto.corrected_mean[k])

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10.5, 3.8), constrained_layout=True)
a = np.asarray(alphas)
half = 2 * np.sqrt(a * (1 - a) / cal_units)
ax0.fill_between(a, a - half, a + half, color="0.88", lw=0, label="binomial ±2σ")
ax0.plot([0, a.max()], [0, a.max()], color="0.4", lw=0.8)
for (n_src, kind, _bins), c in calib.items():
    ax0.plot(a, c.unit_rate, "o-", ms=4, label=f"per unit, any atom: {n_src} sources, {kind}")
    ax0.plot(a, c.atom_rate, "x:", ms=4, label=f"per atom, unadjusted: {n_src} sources, {kind}")
ax0.set_xlabel("nominal level α")
ax0.set_ylabel("false-positive rate")
ax0.set_title(f"independent data, N = 500, {cal_units} units")
ax0.legend(fontsize=6.5, frameon=False)
for (name, values), color in zip(bias.items(), ("tab:red", "tab:blue", "tab:green"), strict=True):
    ax1.plot(bias_sizes, values, "o-", color=color, ms=4, label=name)
ax1.axhline(0, color="0.4", lw=0.8)
ax1.set_xscale("log")
ax1.set_yscale("symlog", linthresh=0.01)
ax1.set_xlabel("samples N")
ax1.set_ylabel("mean synergy {12} (bit); true value 0")
ax1.set_title(f"bias on independent data ({bias_units} units per N)")
ax1.legend(frameon=False)
paths = save(fig, "02_calibration")
print(*paths, sep="\n")
