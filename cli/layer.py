"""``infomorph layer``: representational complexity and Shannon invariants of a whole layer."""

from __future__ import annotations

import io
import sys
import warnings
from pathlib import Path

import click
import numpy as np

from .analyze import open_activations
from .output import (
    InputError,
    atomic_write_many,
    binning_options,
    check_figure_format,
    check_output,
    dumps,
    format_option,
    handle_errors,
    render_csv,
    render_table,
)

#: Largest number of sources of one full PID (the 5-source lattice).
MAX_K = 5
BAND = (0.025, 0.975)


def _parse_select(items) -> dict[str, str]:
    out = {}
    for item in items:
        dim, sep, value = item.partition("=")
        if not sep or not dim or not value:
            raise InputError(f"--select {item!r} is not DIM=VALUE, e.g. --select layer=hidden")
        out[dim] = value
    return out


def _parse_groups(spec: str | None, group_size: int, n_units: int):
    from pidtools.layer import pair_groups

    if spec is None:
        return pair_groups(n_units, group_size)
    try:
        groups = [tuple(int(u) for u in g.split(",")) for g in spec.split(";") if g.strip()]
    except ValueError:
        raise InputError(
            f"--groups {spec!r} is not a list of unit indices, e.g. --groups '0,1;2,3'"
        ) from None
    bad = [u for g in groups for u in g if not 0 <= u < n_units]
    if not groups or bad:
        raise InputError(
            f"--groups {spec!r} names unit {bad[0] if bad else '(none)'}; the layer has units "
            f"0..{n_units - 1}"
        )
    return groups


def _select(ds, var: str, select: dict[str, str], role: str):
    da = ds[var]
    for dim, value in select.items():
        if dim not in da.dims:
            continue
        coord = da[dim].values
        match = [i for i, c in enumerate(coord) if str(c) == value]
        if not match:
            raise InputError(
                f"--select {dim}={value}: {dim!r} has values {[str(c) for c in coord]}"
            )
        da = da.isel({dim: match[0]})
    return da


def _layer_arrays(ds, layer, target, neuron_dim, sample_dim, over, run_dim, select):
    """The layer as (over, run, neuron, sample) and the target as (over, run, sample)."""
    have = list(ds.data_vars)
    for role, name in (("--layer", layer), ("--target", target)):
        if name not in ds.data_vars:
            raise InputError(f"{role} {name!r} is not in the dataset; it has {have}")
    act = _select(ds, layer, select, "--layer")
    tgt = _select(ds, target, select, "--target")
    for role, name, da, needed in (
        ("--layer", layer, act, (neuron_dim, sample_dim)),
        ("--target", target, tgt, (sample_dim,)),
    ):
        for dim in needed:
            if dim not in da.dims:
                option = "--neuron-dim" if dim == neuron_dim else "--sample-dim"
                raise InputError(
                    f"{role} {name!r} has dims {da.dims}, without {dim!r}: pass {option} "
                    "(or --select DIM=VALUE to drop other dims)"
                )
    if over not in act.dims:
        raise InputError(f"--layer {layer!r} has dims {act.dims}, without {over!r}: pass --over")
    keep = [over, run_dim, neuron_dim, sample_dim] if run_dim else [over, neuron_dim, sample_dim]
    if run_dim and run_dim not in act.dims:
        raise InputError(f"--run-dim {run_dim!r} is not a dim of --layer {layer!r} {act.dims}")
    extra = [d for d in act.dims if d not in keep]
    if extra:
        raise InputError(
            f"--layer {layer!r} has the extra dims {extra}: pick one entry with --select "
            f"{extra[0]}=VALUE"
        )
    act = act.transpose(*keep).values
    tkeep = [d for d in keep if d in tgt.dims and d != neuron_dim]
    extra = [d for d in tgt.dims if d not in tkeep]
    if extra:
        raise InputError(
            f"--target {target!r} has the extra dims {extra}: pick one entry with --select "
            f"{extra[0]}=VALUE"
        )
    tgt = tgt.transpose(*tkeep)
    shape = [act.shape[keep.index(d)] for d in keep if d != neuron_dim]
    expand = [d for d in keep if d != neuron_dim]
    t = np.broadcast_to(tgt.values.reshape([tgt.sizes.get(d, 1) for d in expand]), shape)
    if not run_dim:
        act, t = act[:, None], t[:, None]
    coords = ds[layer][over].values if over in ds[layer].coords else np.arange(act.shape[0])
    return act, t, coords


def _checked_step(act, t):
    """One snapshot's layer and target, finite, with labels stored as floats made integers."""
    if not np.isfinite(act).all() or not np.isfinite(t).all():
        raise InputError("the layer or target has NaN or inf values: drop or fill those samples")
    if np.issubdtype(t.dtype, np.floating) and np.array_equal(t, np.round(t)):
        t = t.astype(np.int64)  # labels stored as floats
    return act, t


def _one_step(act, t, groups, k, n_subsets, bins, binning, seed, estimator, shuffles):
    """Full or subsampled PID and Shannon invariants of one layer snapshot."""
    from pidtools.layer import layer_pid, shannon_invariants

    act, t = _checked_step(act, t)
    lay = layer_pid(
        t, act, k=k, n_subsets=n_subsets, groups=groups, bins=bins, binning=binning, seed=seed,
        estimator=estimator, n_shuffles=shuffles,
    )  # fmt: skip
    inv = shannon_invariants(
        t, act, groups=groups, bins=bins, binning=binning, estimator=estimator,
        n_shuffles=shuffles, random_state=seed,
    )  # fmt: skip
    return lay, inv


def estimator_text(estimator: str, shuffles: int) -> str:
    """What the numbers of a layer report are: corrected or plug-in."""
    if estimator == "shuffle":
        return (
            f"estimator shuffle: {shuffles} target shuffles per step; every atom (so Pi_m and C) "
            "and every mutual information of the Shannon invariants is plug-in minus its mean "
            "over the shuffles; C, the degree of redundancy and the vulnerability are NaN where the "
            "corrected I(T; S) is within 2 standard deviations of its shuffled null (noise over "
            "noise)"
        )
    return "estimator plugin: plug-in atoms and mutual informations, biased upwards"


@click.command("layer")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--layer", "layer", required=True, help="Variable with the layer's unit states.")
@click.option("--target", required=True, help="Target variable (e.g. the label).")
@click.option("--neuron-dim", default="neuron", show_default=True, help="The units' dimension.")
@click.option("--sample-dim", default="sample", show_default=True, help="The samples' dimension.")
@click.option("--over", default="epoch", show_default=True, help="The learning dimension.")
@click.option("--run-dim", help="A run/seed dimension, pooled with quantile bands.")
@click.option("--select", multiple=True, help="Pick one entry of another dim: DIM=VALUE.")
@click.option(
    "--group-size",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Consecutive units per source (2: pairs as joint sources).",
)
@click.option("--groups", help="Explicit sources as unit groups, e.g. '0,1;2,3;4'.")
@click.option(
    "--subsets",
    default=26,
    show_default=True,
    type=click.IntRange(1),
    help="Random 5-source subsets per step when the layer has more than 5 sources.",
)
@binning_options("unit")
@click.option(
    "--estimator",
    type=click.Choice(["shuffle", "plugin"]),
    default="shuffle",
    show_default=True,
    help="'shuffle': atoms, Pi_m, C and the Shannon invariants from terms minus their mean "
    "over target-shuffled nulls (bias-corrected); 'plugin': the empirical pmf's (biased "
    "upwards).",
)
@click.option(
    "--shuffles",
    default=20,
    show_default=True,
    type=click.IntRange(0),
    help="Target shuffles per step: the null means subtracted (their standard error is the "
    "null's spread / sqrt(N)); every shuffle costs one full PID per subset.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Subsets and shuffles.")
@format_option
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write results as netCDF.")
@click.option("--plot", type=click.Path(path_type=Path), help="Write a figure (.png, .pdf, .svg).")
@handle_errors
def layer_command(**options):
    """Representational complexity, synergy profile and Shannon invariants of a layer.

    PATH is a netCDF file or zarr store (as for `infomorph analyze`) with a layer variable
    of dims (over, neuron, sample) and a target with the sample dim. Per step of --over the
    report gives the representational complexity C (full PID when the layer has at most 5
    sources, else the mean over --subsets random 5-source subsets with its 2.5-97.5 % band),
    the degree-of-synergy profile Pi_m and the Shannon invariants of the whole layer, by
    default bias-corrected with target shuffles. Real-valued units are binned per unit as by
    `infomorph analyze`; --bins auto is resolved once, from the first step, for one PID's
    joint histogram (the target and every unit of 5 sources).

    \b
    Examples:
      infomorph layer run.nc --layer output --target label --select layer=hidden
      infomorph layer acts.nc --layer hidden --target label --group-size 2 --format json
      infomorph layer acts.nc --layer hidden --target label --run-dim seed --plot c.png
    """
    run_layer(**options)


def run_layer(
    *, path, layer, target, neuron_dim, sample_dim, over, run_dim, select, group_size, groups,
    subsets, bins, estimator, shuffles, seed, fmt, output, plot, binning="auto",
):  # fmt: skip
    """Everything `layer` does after parsing its options; returns the result dataset."""
    import xarray as xr

    if estimator == "shuffle" and shuffles < 1:
        raise InputError("--estimator shuffle subtracts a shuffled null: give --shuffles N")
    check_output(output, "-o", inputs=[path])
    check_output(plot, "--plot", inputs=[path])
    check_figure_format(plot, "--plot")
    if output is not None and plot is not None and Path(output).resolve() == plot.resolve():
        raise InputError(f"-o and --plot are the same file {plot}; give two names")
    ds = open_activations(path)
    act, t, steps = _layer_arrays(
        ds, layer, target, neuron_dim, sample_dim, over, run_dim, _parse_select(select)
    )
    n_steps, n_runs, n_units, n_samples = act.shape
    srcs = _parse_groups(groups, group_size, n_units)
    k = min(MAX_K, len(srcs))
    n_sub = 1 if len(srcs) <= MAX_K else subsets
    from pidtools.layer import layer_bins

    first_act, first_t = _checked_step(act[0, 0], t[0, 0])  # one number of bins for all steps
    bins = layer_bins(first_t, first_act, k=k, groups=srcs, bins=bins, binning=binning)
    complexity = np.full((n_steps, n_runs, n_sub), np.nan)
    pi = np.full((n_steps, n_runs, n_sub, k), np.nan)
    inv_names = ("mi_layer", "redundancy_degree", "vulnerability", "bias_mi_layer")
    invariants = {name: np.full((n_steps, n_runs), np.nan) for name in inv_names}
    per_cell = np.full((n_steps, n_runs, n_sub), np.nan)  # samples per occupied cell, one PID
    n_states = np.zeros((n_steps, n_runs), dtype=np.int64)  # distinct joint states of the layer
    steps_runs = [(i, r) for i in range(n_steps) for r in range(n_runs)]
    with click.progressbar(
        steps_runs, label=f"{over} x run", file=sys.stderr if sys.stderr.isatty() else io.StringIO()
    ) as bar:
        for i, r in bar:
            lay, inv = _one_step(
                act[i, r], t[i, r], srcs, k, n_sub, bins, binning, seed, estimator, shuffles
            )
            m = len(lay.profile.complexity)
            complexity[i, r, :m] = lay.profile.complexity
            pi[i, r, :m] = lay.profile.pi
            invariants["mi_layer"][i, r] = inv.mi
            invariants["redundancy_degree"][i, r] = inv.redundancy_degree
            invariants["vulnerability"][i, r] = inv.vulnerability
            invariants["bias_mi_layer"][i, r] = inv.bias.get("mi", np.nan)
            per_cell[i, r, :m] = np.ravel(lay.result.samples_per_cell)
            n_states[i, r] = inv.settings["n_states"]
    settings = {
        "path": str(path),
        "layer": layer,
        "target": target,
        "over": over,
        "run_dim": run_dim or "",
        "n_units": n_units,
        "n_sources": len(srcs),
        "groups": ";".join(",".join(map(str, g)) for g in srcs),
        "k": k,
        "subsets": n_sub,
        "full_pid": len(srcs) <= MAX_K,
        "bins": bins if bins is not None else "codes",
        "binning": binning,
        "estimator": estimator,
        "n_shuffles": shuffles,
        "seed": seed,
        "n_samples": n_samples,
        "measure": "sx",
        "min_samples_per_cell": float(np.nanmin(per_cell)),
        "median_samples_per_cell": float(np.nanmedian(per_cell)),
        "max_layer_states": int(n_states.max()),
    }
    notes = _notes(settings)
    settings["warnings"] = notes
    res = xr.Dataset(
        {
            "complexity": ((over, "run", "subset"), complexity),
            "pi": ((over, "run", "subset", "degree"), pi),
            **{name: ((over, "run"), v) for name, v in invariants.items()},
        },
        coords={over: steps, "degree": np.arange(1, k + 1)},
        attrs={
            key: (int(v) if isinstance(v, bool) else "\n".join(v) if isinstance(v, list) else v)
            for key, v in settings.items()
        },
    )
    summary = _summary(res, over)
    writes = []
    if output is not None:
        writes.append((output, lambda tmp: res.to_netcdf(tmp, engine="h5netcdf"), "-o"))
    if plot is not None:
        writes.append((plot, lambda tmp: _plot(summary, over, settings, tmp), "--plot"))
    atomic_write_many(writes)
    header = [over, "C", "C_low", "C_high", "C_n", *(f"Pi_{m}" for m in range(1, k + 1))]
    header += ["I(T;L)", "red_degree", "vulnerability"]
    rows = [
        [
            s,
            summary["complexity"][i],
            summary["complexity_low"][i],
            summary["complexity_high"][i],
            summary["complexity_defined"][i],
            *summary["pi"][i],
            summary["mi_layer"][i],
            summary["redundancy_degree"][i],
            summary["vulnerability"][i],
        ]
        for i, s in enumerate(summary["steps"])
    ]
    if fmt == "json":
        click.echo(dumps({**summary, "settings": settings}))
    elif fmt == "csv":
        click.echo(render_csv(header, rows))
    else:
        kind = "full PID" if settings["full_pid"] else f"mean of {n_sub} random {k}-source subsets"
        runs = f", pooled over {n_runs} runs" if run_dim else ""
        click.echo(render_table(header, rows))
        binned = (
            "integer codes" if bins is None else f"real values in {bins} bins per unit ({binning})"
        )
        click.echo(
            f"\n{len(srcs)} sources from {n_units} units ({binned}); C: {kind}{runs}, band "
            f"{100 * BAND[0]:g}-{100 * BAND[1]:g} %, over the C_n of {summary['complexity_of']} "
            f"PIDs where C is defined\n{estimator_text(estimator, shuffles)}\n"
            f"samples per occupied joint cell of one PID: min {settings['min_samples_per_cell']:.1f}, "
            f"median {settings['median_samples_per_cell']:.1f}; the whole layer takes up to "
            f"{settings['max_layer_states']} distinct joint states in {n_samples} samples"
        )
        for note in notes:
            click.echo(f"warning: {note}")
    return res


def _notes(settings: dict) -> list[str]:
    """Reasons to distrust the numbers of a layer report."""
    from pidtools.binning import MIN_SAMPLES_PER_CELL

    notes = []
    if settings["min_samples_per_cell"] < MIN_SAMPLES_PER_CELL:
        notes.append(
            f"as few as {settings['min_samples_per_cell']:.1f} samples per occupied joint cell "
            f"of a {settings['k']}-source PID (fewer than {MIN_SAMPLES_PER_CELL}): C and Pi_m are "
            "noisy and, without --estimator shuffle, biased; use more samples, fewer --bins or "
            "smaller --groups"
        )
    n = settings["n_samples"]
    if settings["max_layer_states"] * MIN_SAMPLES_PER_CELL > n:
        notes.append(
            f"the whole layer takes {settings['max_layer_states']} distinct joint states in {n} "
            "samples: I(T;L) and the Shannon invariants cannot be estimated from so few samples "
            "per state (corrected values near 0 or NaN; plug-in values near H(T))"
        )
    return notes


def _summary(res, over: str) -> dict:
    """Per step: C pooled over runs and subsets (mean, band), Pi_m and invariants (means)."""
    c = res["complexity"].values.reshape(res.sizes[over], -1)
    with warnings.catch_warnings():  # an all-NaN step (no information) stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(c, BAND, axis=1)
        out = {
            "steps": res[over].values.tolist(),
            "complexity": np.nanmean(c, axis=1),
            "complexity_low": low,
            "complexity_high": high,
            "complexity_defined": np.isfinite(c).sum(axis=1).tolist(),
            "complexity_of": int(c.shape[1]),
            "pi": np.nanmean(res["pi"].values, axis=(1, 2)),
            "degrees": res["degree"].values.tolist(),
        }
        for name in ("mi_layer", "redundancy_degree", "vulnerability", "bias_mi_layer"):
            out[name] = np.nanmean(res[name].values, axis=1)
    return out


def _plot(summary, over, settings, path) -> None:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    steps = summary["steps"]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), constrained_layout=True)
    ax = axes[0]
    ax.plot(steps, summary["complexity"], color="C0")
    ax.fill_between(steps, summary["complexity_low"], summary["complexity_high"], alpha=0.3)
    ax.set(xlabel=over, ylabel="C", title="representational complexity")
    ax = axes[1]
    for m, col in zip(summary["degrees"], np.asarray(summary["pi"]).T, strict=True):
        ax.plot(steps, col, label=f"$\\Pi_{m}$")
    ax.set(xlabel=over, ylabel="bits", title="degree-of-synergy profile")
    ax.legend(fontsize=7)
    ax = axes[2]
    ax.plot(steps, summary["redundancy_degree"], label="avg. degree of redundancy")
    ax.plot(steps, summary["vulnerability"], label="vulnerability")
    ax.set(xlabel=over, title="Shannon invariants")
    ax.legend(fontsize=7)
    fig.suptitle(f"{settings['layer']} -> {settings['target']} ({settings['n_sources']} sources)")
    fig.savefig(path, dpi=150)
    plt.close(fig)
