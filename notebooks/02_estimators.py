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
from pidtools.validate import convergence  # noqa: E402

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
