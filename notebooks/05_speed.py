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
# # Speed: time per pmf against alphabet size, pidtools and dit
#
# Random bivariate pmfs of shape 2 x k x k. For each k: one `pidtools.pid` call on a single pmf
# (Python overhead included), the per-pmf time inside a batch of pmfs, and `dit.pid.PID_SX` on
# a few pmfs (dit grows steeply with k; it is only run where it finishes in reasonable time).
# `FAST=1` runs a reduced version in seconds.

# %%
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path.cwd()))
from _style import FAST, plt, save  # noqa: E402

import pidtools  # noqa: E402
from pidtools.testing import random_pmf  # noqa: E402

rng = np.random.default_rng(0)
alphabets = [2, 3, 4, 6, 8] if FAST else [2, 3, 4, 5, 6, 8, 10, 14, 20, 28, 40]
dit_alphabets = [2, 3] if FAST else [2, 3, 4, 5, 6]
batch = 200 if FAST else 5000


def best(fn, repeats=3):
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def dit_time(p):
    import dit
    from dit.pid import PID_SX

    cells = [tuple(map(int, c)) for c in zip(*np.nonzero(p), strict=True)]
    d = dit.Distribution([c[1:] + c[:1] for c in cells], [p[c] for c in cells])  # target last
    t0 = time.perf_counter()
    PID_SX(d)
    return time.perf_counter() - t0


# %%
single, batched, dit_t = [], [], []
for k in alphabets:
    P = np.stack([random_pmf((2, k, k), rng) for _ in range(batch)])
    pidtools.pid(P[0])
    pidtools.pid(P[:2], n_sources=2)  # compile
    single.append(best(lambda P=P: [pidtools.pid(P[0]) for _ in range(50)]) / 50)
    batched.append(best(lambda P=P: pidtools.pid(P, n_sources=2)) / batch)
for k in dit_alphabets:
    dit_t.append(np.median([dit_time(random_pmf((2, k, k), rng)) for _ in range(2 if FAST else 3)]))
for k, s, b in zip(alphabets, single, batched, strict=True):
    print(f"2x{k}x{k}: single call {s * 1e6:8.1f} us, in a batch {b * 1e6:8.2f} us per pmf")
for k, d in zip(dit_alphabets, dit_t, strict=True):
    print(f"2x{k}x{k}: dit {d:.3f} s")

# %%
fig, ax = plt.subplots(figsize=(5.2, 3.8))
cells = lambda ks: [2 * k * k for k in ks]  # noqa: E731
ax.loglog(cells(dit_alphabets), dit_t, "o-", color="tab:red", label="dit PID_SX (one pmf)")
ax.loglog(cells(alphabets), single, "s-", color="tab:blue", label="pidtools.pid (one pmf per call)")
ax.loglog(
    cells(alphabets), batched, "^-", color="tab:green", label=f"pidtools.pid (batch of {batch})"
)
for k, x in zip(alphabets, cells(alphabets), strict=True):
    if k in (8, 20, 40):
        ax.annotate(
            f"2×{k}×{k}",
            (x, batched[alphabets.index(k)]),
            textcoords="offset points",
            xytext=(0, -13),
            ha="center",
            fontsize=7,
        )
ax.set_xlabel("cells in the pmf (2·k·k)")
ax.set_ylabel("time per pmf (s)")
ax.set_title("I$^{sx}$, two sources: time per pmf")
ax.legend(frameon=False)
ax.grid(True, which="major", alpha=0.3)
paths = save(fig, "05_speed")
print(*paths, sep="\n")
