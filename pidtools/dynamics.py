"""How PID atoms change during learning: per-group summaries with a noise floor, and figures.

The input is the output of :func:`pidtools.xarray.pid_dataset` for one group of comparable units
(e.g. the neurons of one layer, all with the same sources): ``atoms`` with a learning dimension
(``epoch``), an ``atom`` dimension and unit dimensions (``neuron``, ...), and, when shuffles were
drawn, ``null_std`` and ``p_adjusted``. Units that differ in layer or number of sources belong to
different groups and are never pooled: :class:`Summary` holds one :class:`GroupSummary` each.

Significance has two levels, both at the level ``alpha``:

- *unit*: an atom of one unit at one epoch is significant when its max-T adjusted permutation
  p-value (over the unit's atoms, :func:`pidtools.estimate.max_t_p_values`) is at most
  ``alpha``; a unit with no dependence on its sources gets any atom called with probability
  ``alpha`` at most;
- *group*: an atom is *distinguishable from the null* at an epoch when more units are
  significant than chance explains: the binomial count test :func:`pidtools.stats.count_p_values`
  (each null unit is called with probability ``alpha`` at most), with Benjamini–Hochberg over all
  atoms and epochs of the group. In a group of one unit, the unit's calls are used directly.

The dominant atom at an epoch is the distinguishable atom with the largest mean over units; a
trend (Spearman's rho of the mean over epochs, exact or permutation p-value) is reported for the
atoms distinguishable at one epoch at least.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from .binning import MIN_SAMPLES_PER_CELL
from .stats import count_p_values, fdr_bh, spearman_trend

__all__ = ["SCHEMA", "GroupSummary", "Summary", "summarize", "plot_dynamics", "planted_dataset"]

#: Version of the JSON written by ``infomorph analyze --format json``.
SCHEMA = "infomorph-analysis/2"

#: Internal name of the stacked unit dimension (cannot collide with a dataset's own names).
UNIT_DIM = "__unit__"


@dataclass
class GroupSummary:
    """The atoms of one group of comparable units over the learning dimension.

    Attributes
    ----------
    name : str
        The group (a layer's name, or ``"all"``).
    sources : list of str
        Variable name of each source: ``{1}`` is ``sources[0]`` and so on.
    atoms : list of str
        Atom labels.
    epochs : list
        Values of the learning coordinate.
    n_units : int
        Units pooled (units NaN at every epoch, e.g. padding, do not count).
    mean, std : dict
        ``{label: [per epoch]}``: mean and standard deviation of the atom over units.
    null_std : dict or None
        ``{label: [per epoch]}``: median over units of the atom's null standard deviation, the
        typical noise floor of one unit (None without shuffles).
    fraction_significant : dict or None
        ``{label: [per epoch]}``: share of units whose atom is significant (unit level).
    distinguishable : dict or None
        ``{label: [per epoch]}``: whether the atom stands out from the null (group level).
    dominant : dict
        ``{"first": label or None, "last": label or None}``: the distinguishable atom with the
        largest mean at the first and last epoch (None: no atom distinguishable; without
        shuffles: the largest mean, unchecked).
    trend : dict
        ``{label: {"first", "last", "change", "rho", "p_value", "test"}}`` for the atoms
        distinguishable at one epoch at least (all atoms without shuffles).
    samples_per_cell : dict
        ``{"min", "median"}`` over units and epochs of the mean number of samples per occupied
        cell of the joint histogram.
    warnings : list of str
        Reasons to distrust the numbers (few samples per cell, no null, no units).
    unit_groups : list of str or None
        When the units are groups of units (``pid_dataset(..., groups=...)``): the labels of
        the groups present, e.g. ``["0+1", "2+3"]``; None otherwise.
    """

    name: str
    sources: list[str]
    atoms: list[str]
    epochs: list
    n_units: int
    mean: dict[str, list[float]]
    std: dict[str, list[float]]
    null_std: dict[str, list[float]] | None
    fraction_significant: dict[str, list[float]] | None
    distinguishable: dict[str, list[bool]] | None
    dominant: dict[str, str | None]
    trend: dict[str, dict[str, Any]]
    samples_per_cell: dict[str, float]
    warnings: list[str] = field(default_factory=list)
    unit_groups: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def rows(self) -> list[list]:
        """Long format, one row per epoch and atom: group, epoch, atom, mean, std, null_std,
        fraction_significant, distinguishable, unit_groups (``;``-separated, or empty)."""
        units = ";".join(self.unit_groups) if self.unit_groups else ""
        out = []
        for i, e in enumerate(self.epochs):
            for a in self.atoms:
                out.append([
                    self.name, e, a, self.mean[a][i], self.std[a][i],
                    self.null_std[a][i] if self.null_std else None,
                    self.fraction_significant[a][i] if self.fraction_significant else None,
                    self.distinguishable[a][i] if self.distinguishable else None,
                    units,
                ])  # fmt: skip
        return out


ROW_HEADER = [
    "group", "epoch", "atom", "mean", "std", "null_std", "fraction_significant", "distinguishable",
    "unit_groups",
]  # fmt: skip


@dataclass
class Summary:
    """Summaries of every group of one analysis, the level used and the settings."""

    groups: list[GroupSummary]
    alpha: float
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        return [f"{g.name}: {w}" for g in self.groups for w in g.warnings]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``infomorph analyze --format json`` (schema :data:`SCHEMA`).

        With a single group its keys (atoms, epochs, mean, std, trend, dominant, n_units) are
        also given at the top level, as in the first version of the schema.
        """
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "alpha": self.alpha,
            "settings": self.settings,
            "warnings": self.warnings,
            "groups": [g.to_dict() for g in self.groups],
        }
        if len(self.groups) == 1:
            g = self.groups[0]
            for k in ("atoms", "epochs", "mean", "std", "trend", "dominant", "n_units"):
                out[k] = getattr(g, k)
        return out

    def rows(self) -> list[list]:
        return [r for g in self.groups for r in g.rows()]


def _units(da: xr.DataArray, over: str) -> xr.DataArray:
    """``da`` as (over, unit[, atom]): every other dimension stacked into one unit dimension."""
    tail = ["atom"] if "atom" in da.dims else []
    others = [d for d in da.dims if d not in (over, "atom")]
    if not others:
        return da.expand_dims(UNIT_DIM, axis=1)
    return da.stack({UNIT_DIM: others}).transpose(over, UNIT_DIM, *tail)


def unit_significance(result: xr.Dataset, alpha: float) -> xr.DataArray | None:
    """Per unit, epoch and atom: significant (``p_adjusted <= alpha``); NaN where absent."""
    if "p_adjusted" not in result:
        return None
    p = result["p_adjusted"]
    return xr.where(p.notnull(), p <= alpha, np.nan)


def summarize(
    result: xr.Dataset | xr.DataArray,
    over: str = "epoch",
    *,
    alpha: float = 0.05,
    name: str = "all",
    sources: list[str] | None = None,
    settings: dict | None = None,
) -> Summary:
    """Summarise the atoms of one group of units over the learning dimension ``over``.

    Parameters
    ----------
    result : xarray.Dataset or xarray.DataArray
        Output of :func:`pidtools.xarray.pid_dataset` (or its ``atoms`` alone, then without
        significance) with dimensions ``over``, ``atom`` and unit dimensions.
    over : str
        The learning dimension.
    alpha : float
        Level of the unit and group tests.
    name, sources : optional
        The group's name and its sources' variable names (for reports).
    settings : dict, optional
        Stored with the summary.

    Returns
    -------
    Summary
        With one group; :func:`merge` joins the summaries of several groups.
    """
    group = summarize_group(result, over, alpha=alpha, name=name, sources=sources)
    return Summary(groups=[group], alpha=alpha, settings=dict(settings or {}))


def merge(summaries: list[Summary], settings: dict | None = None) -> Summary:
    """One :class:`Summary` holding the groups of several (same ``alpha``)."""
    return Summary(
        groups=[g for s in summaries for g in s.groups],
        alpha=summaries[0].alpha,
        settings=dict(settings or {}),
    )


def summarize_group(
    result: xr.Dataset | xr.DataArray,
    over: str = "epoch",
    *,
    alpha: float = 0.05,
    name: str = "all",
    sources: list[str] | None = None,
) -> GroupSummary:
    """The :class:`GroupSummary` of one group (see :func:`summarize`)."""
    ds = result.to_dataset(name="atoms") if isinstance(result, xr.DataArray) else result
    for dim in (over, "atom"):
        if dim not in ds["atoms"].dims:
            raise ValueError(
                f"atoms has no dimension {dim!r} (it has {list(ds['atoms'].dims)}): pass over= "
                "naming the learning dimension"
            )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}: e.g. alpha=0.05")
    labels = [str(a) for a in ds["atom"].values]
    epochs = ds[over].values.tolist() if over in ds.coords else list(range(ds.sizes[over]))
    values = np.asarray(_units(ds["atoms"], over).values, dtype=float)  # (epoch, unit, atom)
    present = np.isfinite(values).any(axis=(0, 2))
    values = values[:, present]
    n_units = int(present.sum())
    warnings: list[str] = []
    if n_units == 0:
        warnings.append("no unit has finite atoms")
    with np.errstate(invalid="ignore", divide="ignore"), _quiet_nan_warnings():
        mean = np.nanmean(values, axis=1)  # (epoch, atom)
        std = np.nanstd(values, axis=1)
    as_lists = lambda a: {lab: a[:, k].tolist() for k, lab in enumerate(labels)}  # noqa: E731

    null_std = frac = dist = None
    sig = unit_significance(ds, alpha)
    if sig is not None:
        s = np.asarray(_units(sig, over).values, dtype=float)[:, present]  # (epoch, unit, atom)
        ns = np.asarray(_units(ds["null_std"], over).values, dtype=float)[:, present]
        tested = np.isfinite(s).sum(axis=1)  # units per epoch and atom
        called = np.nansum(s, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"), _quiet_nan_warnings():
            frac_arr = called / tested
            null_std_arr = np.nanmedian(ns, axis=1)
        if n_units == 1:
            dist_arr = called > 0
        else:
            dist_arr = fdr_bh(count_p_values(called, tested, alpha), alpha)
        null_std, frac = as_lists(null_std_arr), as_lists(frac_arr)
        dist = {lab: [bool(v) for v in dist_arr[:, k]] for k, lab in enumerate(labels)}
        if not dist_arr.any() and n_units:
            warnings.append(
                f"no atom is distinguishable from the null at any {over} (alpha {alpha})"
            )
    else:
        dist_arr = None
        warnings.append(
            "no shuffles: atoms are not compared with a null and plug-in atoms carry a "
            "sampling bias; use the shuffle estimator"
        )

    def dominant(i: int) -> str | None:
        if not len(epochs) or not np.isfinite(mean[i]).any():
            return None
        m = mean[i].copy()
        if dist_arr is not None:
            m[~dist_arr[i]] = -np.inf
            if not dist_arr[i].any():
                return None
        return labels[int(np.nanargmax(m))]

    trend = {}
    for k, lab in enumerate(labels):
        if dist_arr is not None and not dist_arr[:, k].any():
            continue
        rho, p, how = spearman_trend(mean[:, k])
        trend[lab] = {
            "first": float(mean[0, k]),
            "last": float(mean[-1, k]),
            "change": float(mean[-1, k] - mean[0, k]),
            "rho": rho,
            "p_value": p,
            "test": how,
        }
    spc = {"min": float("nan"), "median": float("nan")}
    if "occupied" in ds:
        occ = np.asarray(_units(ds["occupied"], over).values, dtype=float)[:, present]
        n = float(ds.attrs.get("n_samples", np.nan))
        with np.errstate(invalid="ignore", divide="ignore"), _quiet_nan_warnings():
            per_cell = n / occ
            spc = {"min": float(np.nanmin(per_cell)), "median": float(np.nanmedian(per_cell))}
        if spc["min"] < MIN_SAMPLES_PER_CELL:
            warnings.append(
                f"as few as {spc['min']:.1f} samples per occupied cell (median "
                f"{spc['median']:.1f}; fewer than {MIN_SAMPLES_PER_CELL}): atoms are noisy, use "
                "fewer bins or more samples"
            )
    return GroupSummary(
        name=str(name),
        sources=list(sources or []),
        atoms=labels,
        epochs=epochs,
        n_units=n_units,
        mean=as_lists(mean),
        std=as_lists(std),
        null_std=null_std,
        fraction_significant=frac,
        distinguishable=dist,
        dominant={"first": dominant(0), "last": dominant(len(epochs) - 1)},
        trend=trend,
        samples_per_cell=spc,
        warnings=warnings,
        unit_groups=_unit_group_labels(ds),
    )


def _unit_group_labels(ds: xr.Dataset) -> list[str] | None:
    """Labels of the unit groups with finite atoms, when ``ds`` has grouped units."""
    grouped = ds.attrs.get("grouped_dim")
    dim = f"{grouped}_group"
    if grouped is None or dim not in ds["atoms"].dims:
        return None
    finite = ds["atoms"].notnull().any([d for d in ds["atoms"].dims if d != dim]).values
    return [str(v) for v, ok in zip(ds[dim].values, finite, strict=True) if ok]


class _quiet_nan_warnings:
    """Silence 'Mean of empty slice' for units or epochs that are all NaN."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def plot_dynamics(
    results: dict[str, xr.Dataset],
    summary: Summary,
    path=None,
    over: str = "epoch",
    title: str = "",
):
    """One row per group: the atoms' means over ``over`` with the null band, and a map of each
    unit's largest significant atom.

    Left: mean over units of every atom that is distinguishable from the null at one epoch at
    least (filled markers where it is, open where not); the grey band is +-1.96 times the median
    null standard deviation of one unit (the largest over atoms), the range a single unit's atom
    takes by chance. Right: for every unit and epoch its largest atom among the significant ones;
    light grey where no atom of the unit is significant (white: absent). ``results`` maps each
    group's name to its :func:`pidtools.xarray.pid_dataset` output. Writes ``path`` when given
    (format from its suffix) and returns the figure.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.ticker import MaxNLocator

    groups = summary.groups
    fig, axes = plt.subplots(
        len(groups), 2, figsize=(11.5, 3.9 * len(groups)), squeeze=False, constrained_layout=True
    )
    for row, g in enumerate(groups):
        ax0, ax1 = axes[row]
        x = np.asarray(g.epochs)
        labels = g.atoms
        colors = _palette(len(labels))
        shown = [a for a in labels if g.distinguishable is None or any(g.distinguishable[a])]
        n_dist = len(shown)
        if len(shown) > MAX_LINES:  # the largest ones; the report lists all
            size = [np.nanmax(np.abs(g.mean[a])) for a in shown]
            shown = [shown[i] for i in sorted(np.argsort(size)[::-1][:MAX_LINES])]
        if g.null_std is not None and len(x):
            band = 1.96 * np.nanmax(np.array([g.null_std[a] for a in labels]), axis=0)
            ax0.fill_between(x, -band, band, color="0.85", lw=0, label="null band (one unit)")
        for a in shown:
            k = labels.index(a)
            m = np.asarray(g.mean[a])
            ax0.plot(x, m, color=colors[k], lw=1.6, label=a)
            if g.distinguishable is not None:
                d = np.asarray(g.distinguishable[a])
                ax0.plot(x[d], m[d], "o", color=colors[k], ms=4)
                ax0.plot(x[~d], m[~d], "o", mfc="white", color=colors[k], ms=4)
        if not shown:
            ax0.text(0.5, 0.5, "no atom distinguishable\nfrom the null", ha="center",
                     va="center", transform=ax0.transAxes, color="0.3")  # fmt: skip
        ax0.axhline(0, color="0.5", lw=0.8)
        ax0.set_xlabel(over)
        ax0.set_ylabel("atom (bit)")
        src = ", ".join(f"{i} = {s}" for i, s in enumerate(g.sources, 1))
        which = f", the {len(shown)} largest of {n_dist} atoms" if len(shown) < n_dist else ""
        ax0.set_title(f"{g.name}: mean over {g.n_units} units{which}" + (f"\n({src})" if src else ""),
                      fontsize=9)  # fmt: skip
        ax0.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax0.legend(fontsize=7, ncol=1 + len(shown) // 8, frameon=False)

        ds = results[g.name]
        values = np.asarray(_units(ds["atoms"], over).values, dtype=float)
        keep = np.isfinite(values).any(axis=(0, 2))
        values = values[:, keep]
        sig = unit_significance(ds, summary.alpha)
        if sig is not None:
            ok = np.asarray(_units(sig, over).values, dtype=float)[:, keep] == 1
        else:
            ok = np.isfinite(values)
        masked = np.where(ok, values, -np.inf)
        dom = np.argmax(masked, axis=2)
        code = np.where(ok.any(axis=2), dom + 2, 1)  # 1: nothing significant
        code = np.where(np.isfinite(values).any(axis=2), code, 0).T  # 0: absent
        cmap = ListedColormap(np.vstack([[1, 1, 1, 1], [0.85, 0.85, 0.85, 1], colors]))
        extent = (x[0] - 0.5, x[-1] + 0.5, code.shape[0] - 0.5, -0.5) if len(x) else None
        ax1.imshow(code, aspect="auto", interpolation="nearest", cmap=cmap, vmin=0,
                   vmax=len(labels) + 1, extent=extent)  # fmt: skip
        ax1.set_xlabel(over)
        ax1.set_ylabel("unit")
        ax1.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax1.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax1.set_title(f"{g.name}: largest significant atom per unit", fontsize=9)
        present = sorted({int(c) for c in np.unique(code) if c >= 1})
        handles = [plt.Rectangle((0, 0), 1, 1, color=cmap(c / (len(labels) + 1))) for c in present]
        names = ["no significant atom" if c == 1 else labels[c - 2] for c in present]
        ax1.legend(handles, names, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                   frameon=False)  # fmt: skip
    if title:
        fig.suptitle(title, fontsize=10)
    if path is not None:
        fig.savefig(path, dpi=150)
        plt.close(fig)
    return fig


#: Most atoms drawn as lines per group (the largest in magnitude).
MAX_LINES = 8


def _palette(n: int) -> np.ndarray:
    """``n`` distinct colours, none of them grey (grey marks "no significant atom")."""
    import matplotlib.pyplot as plt

    if n <= 9:
        base = [c for i, c in enumerate(plt.get_cmap("tab10").colors) if i != 7]
    else:
        base = [c for i, c in enumerate(plt.get_cmap("tab20").colors) if i not in (14, 15)]
        base += list(plt.get_cmap("Dark2").colors)
    return np.array([(*base[i % len(base)], 1.0) for i in range(n)])


PLANTED_KINDS = ("xor", "copy", "rdn")


def planted_dataset(
    kind: str = "xor",
    n_epochs: int = 10,
    n_neurons: int = 8,
    n_samples: int = 2000,
    random_state: int | None = 0,
) -> xr.Dataset:
    """Activations with a known PID trajectory, in the layout of a training record.

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
