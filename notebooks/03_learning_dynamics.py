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
# # Learning dynamics of infomorphic networks under two goals
#
# A hidden layer of three-class infomorphic neurons (receptive, context = label, lateral) and a
# read-out layer are trained on the bundled digits, once with the heuristic goal (pure
# redundancy between receptive and context, {1}{2}) and once with the optimised goal of
# Schneider et al. (2025). Top: accuracy; middle and bottom: the mean I^sx atoms of the hidden
# and read-out neurons over epochs, as recorded during training (`infomorph train`). The last
# row is the post-hoc analysis of the recorded probe activations (`infomorph analyze`): the PID
# of every neuron's sampled output given its receptive and context input, mean over neurons.
# `FAST=1` trains a small network for a few epochs.

# %%
import sys
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))
from _style import FAST, save  # noqa: E402

from infomorph.analysis import plot_training  # noqa: E402
from infomorph.train import fit  # noqa: E402
from pidtools.dynamics import summarize  # noqa: E402
from pidtools.xarray import pid_dataset  # noqa: E402

settings = (
    dict(n_hidden=12, epochs=3, record_probe=200)
    if FAST
    else dict(n_hidden=100, epochs=60, record_probe=1000)
)
goals = {
    "heuristic goal ({1}{2})": "trivariate_heuristic",
    "optimised goal": "trivariate_optimized",
}
records = {}
for name, goal in goals.items():
    _, records[name] = fit(
        "digits",
        arch="hidden",
        hidden_classes="three",
        goal=goal,
        batch_size=128,
        random_state=0,
        progress=False,
        **settings,
    )
    acc = records[name]["accuracy"].sel(split="test").values
    print(f"{name}: test accuracy {acc[-1]:.4f} after {len(acc)} epochs")

# %% the analysis of the recorded activations, as `infomorph analyze` does it
analyses = {}
for name, rec in records.items():
    hidden = rec.sel(layer="hidden")
    result = pid_dataset(
        hidden, "output", ["receptive", "context"], estimator="shuffle", n_shuffles=100,
        random_state=0, skip_missing=True,
    )  # fmt: skip
    analyses[name] = summarize(result, over="epoch", name="hidden")
    trend = analyses[name].groups[0].trend
    print(name, {k: round(v["change"], 4) for k, v in trend.items()})

# %%
fig = plot_training(
    records,
    analyses=analyses,
    title="digits: 3-class hidden layer + read-out; last row: "
    "post-hoc PID of hidden outputs | receptive (1), context (2)",
)
paths = save(fig, "03_learning_dynamics")
print(*paths, sep="\n")
