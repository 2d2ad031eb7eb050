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
# # Canonical gates under every measure
#
# The atoms of XOR, AND, COPY, RDN, UNQ (T = S1), SUM and 3-bit parity under each redundancy
# measure of `pidtools`, as an annotated heat-table, and the largest difference to dit's own
# implementation of each measure on the same pmfs (computed live here through the `dit:`
# adapter). `FAST=1` checks dit on two gates only.

# %%
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path.cwd()))
from _style import FAST, plt, save  # noqa: E402

import pidtools  # noqa: E402
from pidtools.distributions import gate  # noqa: E402

DIT_CLASS = {
    "sx": "PID_SX",
    "min": "PID_WB",
    "mmi": "PID_MMI",
    "pm": "PID_PM",
    "ccs": "PID_CCS",
    "broja": "PID_BROJA",
    "dep": "PID_dep",
}
bivariate = ["xor", "and", "copy", "rdn", "unq", "sum"]
measures = list(DIT_CLASS)
# broja and dep are bivariate measures (with three sources dit and pidtools leave nodes undetermined)
trivariate_measures = [m for m in measures if m not in ("broja", "dep")]

atoms = {g: {m: pidtools.pid(gate(g), m) for m in measures} for g in bivariate}
parity = {m: pidtools.pid(gate("parity"), m) for m in trivariate_measures}

# %% dit, live
checked = bivariate[:2] if FAST else bivariate
worst = {}
for m in measures:
    diffs = [
        np.abs(atoms[g][m].atoms - pidtools.pid(gate(g), "dit:" + DIT_CLASS[m]).atoms).max()
        for g in checked
    ]
    if m in trivariate_measures and not FAST:
        diffs.append(
            np.abs(
                parity[m].atoms - pidtools.pid(gate("parity"), "dit:" + DIT_CLASS[m]).atoms
            ).max()
        )
    worst[m] = max(diffs)
    print(f"{m:6s} max |pidtools - dit| over {len(diffs)} gates: {worst[m]:.1e} bit")

# %%
labels2 = atoms["xor"]["sx"].labels
table = np.array([[atoms[g][m][lab] for m in measures] for g in bivariate for lab in labels2])
rows = [f"{g.upper()}  {lab}" for g in bivariate for lab in labels2]
labels3 = parity["sx"].labels
table3 = np.array([[parity[m][lab] for m in trivariate_measures] for lab in labels3])

fig, (ax, ax3) = plt.subplots(
    1,
    2,
    figsize=(12, 9.5),
    gridspec_kw={"width_ratios": [len(measures), len(trivariate_measures) + 0.6]},
    constrained_layout=True,
)
for axis, data, ylabels, cols, title in [
    (ax, table, rows, measures, "two-source gates"),
    (ax3, table3, list(labels3), trivariate_measures, "3-bit parity T = S1⊕S2⊕S3"),
]:
    lim = np.nanmax(np.abs(data))
    im = axis.imshow(data, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    axis.set_xticks(range(len(cols)), [f"{c}\ndit Δ\n{worst[c]:.0e}" for c in cols], fontsize=7.5)
    axis.set_yticks(range(len(ylabels)), ylabels, fontsize=8)
    for (i, j), v in np.ndenumerate(data):
        axis.text(
            j,
            i,
            f"{0.0 if abs(v) < 5e-4 else v:.3f}",
            ha="center",
            va="center",
            fontsize=6.5,
            color="white" if abs(v) > 0.6 * lim else "black",
        )
    axis.set_title(title)
    fig.colorbar(im, ax=axis, shrink=0.5, label="atom (bit)")
for k in range(1, len(bivariate)):
    ax.axhline(k * len(labels2) - 0.5, color="k", lw=0.8)
fig.suptitle("PID atoms of canonical gates under every measure (Δ: largest difference to dit, bit)")
paths = save(fig, "01_gates_measures")
print(*paths, sep="\n")
