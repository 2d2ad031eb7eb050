"""Figures of an infomorphic training run: accuracy and the atoms each layer recorded.

General post-hoc summaries of atoms over learning (for any framework's activations) live in
:mod:`pidtools.dynamics`.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from pidtools.dynamics import Summary

__all__ = ["plot_training"]


def plot_training(
    records: dict[str, xr.Dataset],
    path=None,
    top: int = 5,
    title: str = "",
    analyses: dict[str, Summary] | None = None,
):
    """Accuracy and the mean recorded atoms of every layer over epochs, one column per run.

    ``records`` maps a run's name (e.g. its goal) to its training record (schema of
    :mod:`infomorph.record`). For each layer the ``top`` atoms with the largest mean magnitude
    over the run are drawn (mean over the layer's neurons). ``analyses`` (same keys, e.g. from
    :func:`pidtools.dynamics.summarize` of the probe activations) adds a last row with the mean
    of every atom distinguishable from the null, per group.
    Writes ``path`` when given; returns the figure.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    layers = list(next(iter(records.values()))["layer"].values)
    n_rows = 1 + len(layers) + (analyses is not None)
    fig, axes = plt.subplots(
        n_rows,
        len(records),
        figsize=(4.6 * len(records), 2.6 * n_rows),
        squeeze=False,
        sharex="col",
        constrained_layout=True,
    )
    for col, (name, rec) in enumerate(records.items()):
        epochs = rec["epoch"].values
        ax = axes[0, col]
        for split in rec["split"].values:
            ax.plot(epochs, rec["accuracy"].sel(split=split), label=str(split))
        ax.set_ylim(0, 1)
        ax.set_ylabel("accuracy")
        ax.set_title(name)
        ax.legend(frameon=False, fontsize=8)
        for row, layer in enumerate(layers, start=1):
            ax = axes[row, col]
            n = int(rec["n_neurons"].sel(layer=layer))
            mean = rec["atoms"].sel(layer=layer).isel(neuron=slice(0, n)).mean("neuron")
            labels = [str(v) for v in rec["atom_label"].sel(layer=layer).values]
            valid = [k for k, lab in enumerate(labels) if lab]
            size = np.nan_to_num(np.abs(mean.values[:, valid])).mean(axis=0)
            for k in [valid[i] for i in np.argsort(size)[::-1][:top]]:
                ax.plot(epochs, mean.isel(atom=k), label=labels[k])
            ax.axhline(0, color="0.6", lw=0.8)
            ax.set_ylabel(f"{layer}: mean atom (bit)")
            ax.legend(frameon=False, fontsize=7, ncol=2)
        if analyses is not None:
            ax = axes[-1, col]
            for g in analyses[name].groups:
                for lab in g.atoms:
                    if g.distinguishable is not None and not any(g.distinguishable[lab]):
                        continue
                    ax.plot(g.epochs, g.mean[lab], label=f"{g.name} {lab}")
            ax.axhline(0, color="0.6", lw=0.8)
            ax.set_ylabel("analysed atom (bit)")
            ax.legend(frameon=False, fontsize=7, ncol=2)
        axes[-1, col].set_xlabel("epoch")
    if title:
        fig.suptitle(title)
    if path is not None:
        fig.savefig(path, dpi=150)
        plt.close(fig)
    return fig
