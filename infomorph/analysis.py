"""How the PID atoms of many neurons change during learning: summaries and plots.

The input is a per-neuron atom array, e.g. from :func:`pidtools.xarray.pid_dataset` applied to
recorded activations: an ``xarray.DataArray`` with a learning dimension (``epoch``), an ``atom``
dimension with labels, and any other dimensions (``neuron``, ``layer``, ...), which are pooled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr
from scipy.stats import spearmanr

__all__ = ["Summary", "summarize", "plot_dynamics"]


@dataclass
class Summary:
    """Per-epoch mean and spread of every atom over the pooled units, and its trend.

    Attributes
    ----------
    atoms : list of str
        Atom labels.
    epochs : list
        Values of the learning coordinate.
    mean, std : dict
        ``{label: [value per epoch]}``: mean and standard deviation over units (NaN skipped).
    trend : dict
        ``{label: {"first", "last", "change", "rho", "p_value"}}``: the per-epoch mean at the
        first and last epoch, their difference, and Spearman's rank correlation of the mean with
        the epoch (NaN with fewer than three epochs or a constant series).
    dominant : dict
        ``{"first": label, "last": label}``: the atom with the largest mean at either end.
    n_units : int
        How many units (neurons, layers, ...) were pooled; all-NaN units (padding) do not count.
    settings : dict
        What produced the atoms (measure, binning, ...), passed through.
    """

    atoms: list[str]
    epochs: list
    mean: dict[str, list[float]]
    std: dict[str, list[float]]
    trend: dict[str, dict[str, float]]
    dominant: dict[str, str]
    n_units: int
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``infomorph analyze --format json``."""
        return {
            "atoms": self.atoms,
            "epochs": self.epochs,
            "mean": self.mean,
            "std": self.std,
            "trend": self.trend,
            "dominant": self.dominant,
            "n_units": self.n_units,
            "settings": self.settings,
        }

    def rows(self) -> list[list]:
        """One row per epoch: the epoch, then the mean of every atom."""
        return [[e, *(self.mean[a][i] for a in self.atoms)] for i, e in enumerate(self.epochs)]


def _units(atoms: xr.DataArray, over: str) -> xr.DataArray:
    """Stack every dimension but ``over`` and ``atom`` into one ``unit`` dimension."""
    others = [d for d in atoms.dims if d not in (over, "atom")]
    if not others:
        return atoms.expand_dims("unit", axis=1)
    return atoms.stack(unit=others).transpose(over, "unit", "atom")


def summarize(atoms: xr.DataArray, over: str = "epoch", settings: dict | None = None) -> Summary:
    """Summarise per-unit atoms over the learning dimension ``over``.

    Parameters
    ----------
    atoms : xarray.DataArray
        Dimensions include ``over`` and ``atom`` (with label coordinate); the rest are pooled.
    over : str
        The learning dimension.
    settings : dict, optional
        Stored with the summary.
    """
    for dim in (over, "atom"):
        if dim not in atoms.dims:
            raise ValueError(f"atoms has no dimension {dim!r} (it has {list(atoms.dims)})")
    units = _units(atoms, over)
    values = np.asarray(units.values, dtype=float)  # (epoch, unit, atom)
    labels = [str(a) for a in atoms["atom"].values]
    epochs = atoms[over].values.tolist() if over in atoms.coords else list(range(atoms.sizes[over]))
    with np.errstate(invalid="ignore"), _quiet_nan_warnings():
        mean = np.nanmean(values, axis=1)
        std = np.nanstd(values, axis=1)
    order = np.arange(len(epochs), dtype=float)
    trend = {}
    for k, lab in enumerate(labels):
        series = mean[:, k]
        ok = np.isfinite(series)
        rho = p_value = float("nan")
        if ok.sum() >= 3 and np.ptp(series[ok]) > 0:
            res = spearmanr(order[ok], series[ok])
            rho, p_value = float(res.statistic), float(res.pvalue)
        trend[lab] = {
            "first": float(series[0]),
            "last": float(series[-1]),
            "change": float(series[-1] - series[0]),
            "rho": rho,
            "p_value": p_value,
        }
    dominant = {
        "first": labels[int(np.nanargmax(mean[0]))] if np.isfinite(mean[0]).any() else "",
        "last": labels[int(np.nanargmax(mean[-1]))] if np.isfinite(mean[-1]).any() else "",
    }
    return Summary(
        atoms=labels,
        epochs=epochs,
        mean={lab: mean[:, k].tolist() for k, lab in enumerate(labels)},
        std={lab: std[:, k].tolist() for k, lab in enumerate(labels)},
        trend=trend,
        dominant=dominant,
        n_units=int(np.isfinite(values).any(axis=(0, 2)).sum()),
        settings=dict(settings or {}),
    )


class _quiet_nan_warnings:
    """Silence 'Mean of empty slice' for units that are all NaN (padding)."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def plot_dynamics(
    atoms: xr.DataArray, summary: Summary, path, over: str = "epoch", title: str = ""
):
    """Atoms over epochs (mean and +-1 std band over units) and a units x epochs map of the
    dominant atom. Writes ``path`` (format from its suffix) and returns the figure."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    labels = summary.atoms
    x = np.asarray(summary.epochs)
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    colors = plt.get_cmap("tab10" if len(labels) <= 10 else "tab20")(np.arange(len(labels)) % 20)
    for k, lab in enumerate(labels):
        m, s = np.asarray(summary.mean[lab]), np.asarray(summary.std[lab])
        ax0.plot(x, m, color=colors[k], label=lab, lw=1.8)
        ax0.fill_between(x, m - s, m + s, color=colors[k], alpha=0.18, lw=0)
    ax0.axhline(0, color="0.6", lw=0.8)
    ax0.set_xlabel(over)
    ax0.set_ylabel("atom (bit)")
    ax0.set_title("mean over units, band = ±1 std")
    ax0.legend(fontsize=8, ncol=1 + len(labels) // 9, frameon=False)
    values = np.asarray(_units(atoms, over).values, dtype=float)  # (epoch, unit, atom)
    values = values[:, np.isfinite(values).any(axis=(0, 2))]  # drop padding units
    finite = np.isfinite(values).all(axis=2)
    dom = np.where(finite, np.argmax(np.nan_to_num(values, nan=-np.inf), axis=2), -1).T
    cmap = ListedColormap(np.vstack([[0.92, 0.92, 0.92, 1.0], colors]))
    ax1.imshow(
        dom + 1,
        aspect="auto",
        interpolation="nearest",
        cmap=cmap,
        vmin=0,
        vmax=len(labels),
        extent=(x[0] - 0.5, x[-1] + 0.5, values.shape[1] - 0.5, -0.5) if len(x) else None,
    )
    ax1.set_xlabel(over)
    ax1.set_ylabel("unit")
    ax1.set_title("dominant atom per unit")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[k]) for k in range(len(labels))]
    ax1.legend(
        handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False
    )
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return fig


PLANTED_KINDS = ("xor", "copy", "rdn")


def planted_dataset(
    kind: str = "xor",
    n_epochs: int = 10,
    n_neurons: int = 8,
    n_samples: int = 2000,
    random_state: int | None = 0,
) -> xr.Dataset:
    """Activations with a known PID trajectory, in the record schema's layout.

    Two binary sources ``receptive`` and ``context`` are drawn uniformly; each neuron's
    ``output`` follows a planted rule with probability ``epoch / (n_epochs - 1)`` and is a coin
    flip otherwise. With ``kind="xor"`` the output becomes the XOR of the sources (synergy
    rises), with ``"copy"`` a copy of ``receptive`` (unique information of source 1 rises), with
    ``"rdn"`` a copy of ``receptive`` where ``context`` equals ``receptive`` (redundancy rises).
    """
    if kind not in PLANTED_KINDS:
        raise ValueError(f"kind must be one of {PLANTED_KINDS}, got {kind!r}")
    rng = np.random.default_rng(random_state)
    shape = (n_epochs, n_neurons, n_samples)
    s1 = rng.integers(0, 2, shape)
    s2 = s1.copy() if kind == "rdn" else rng.integers(0, 2, shape)
    rule = {"xor": s1 ^ s2, "copy": s1, "rdn": s1}[kind]
    follow = rng.random(shape) < (np.arange(n_epochs) / max(n_epochs - 1, 1))[:, None, None]
    out = np.where(follow, rule, rng.integers(0, 2, shape))
    dims = ("epoch", "neuron", "sample")
    return xr.Dataset(
        {
            "output": (dims, 2 * out - 1),
            "receptive": (dims, s1),
            "context": (dims, s2),
        },
        coords={"epoch": np.arange(1, n_epochs + 1), "neuron": np.arange(n_neurons)},
        attrs={"planted": kind},
    )


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
    :func:`summarize` of the probe activations) adds a last row with their mean ± std curves.
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
            summary = analyses[name]
            for lab in summary.atoms:
                m, s = np.asarray(summary.mean[lab]), np.asarray(summary.std[lab])
                ax.plot(summary.epochs, m, label=lab)
                ax.fill_between(summary.epochs, m - s, m + s, alpha=0.15)
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
