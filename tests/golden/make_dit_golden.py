#!/usr/bin/env python
"""Generate golden PID reference values with dit as the oracle.

Writes one JSON file per dit measure, ``dit_<measure>.json``, into the output
directory (default: the directory of this script).  Our own implementation is
tested against these files; dit itself is only needed to regenerate them.

Usage (from the repository root)::

    python tests/golden/make_dit_golden.py                  # full run (~25 min, 2 cores)
    python tests/golden/make_dit_golden.py --quick --out /tmp/golden   # smoke run
    python tests/golden/make_dit_golden.py --measures sx,pm

Array conventions (the project's): a pmf is an array ``p`` of shape
``(T, S1, ..., Sn)``; axis 0 is the target, axis i is source i (1-based source
names); flat lists are in C order.

dit layout: the dit distribution is built from the outcome tuples of the cells
with ``p > 0`` with the target placed LAST, i.e. the outcome of cell
``(t, s1, ..., sn)`` is ``(s1, ..., sn, t)``, and the measure is called with
``sources=[[0], [1], ..., [n-1]], target=[n]``.  dit variable ``i`` is
therefore our source ``i + 1`` (labels are shifted by one).  The target must be
last: dit 2.3's PID_SX and PID_PM marginalise the target away and then index
the remaining outcome with the original variable indices, which raises
IndexError or silently gives wrong values (PID_PM: nan / -inf atoms) when the
target is variable 0.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import sys
import time
import traceback
import warnings
from multiprocessing.connection import wait as mp_wait

# One BLAS/OpenMP thread per worker: we already run one process per core, and
# oversubscription makes dit's optimisers (BROJA, CCS) many times slower.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

SEED = 20241128

# short name -> (dit class name, pointwise?)
MEASURES = {
    "sx": ("PID_SX", True),
    "min": ("PID_WB", False),
    "mmi": ("PID_MMI", False),
    "pm": ("PID_PM", True),
    "ccs": ("PID_CCS", False),
    "broja": ("PID_BROJA", False),
    "dep": ("PID_dep", False),
    "gk": ("PID_GK", False),
    "rr": ("PID_RR", False),
}
DEFAULT_MEASURES = list(MEASURES)

# Random case groups: name -> (n_cases_full, n_cases_quick, shapes cycled through)
RANDOM_GROUPS = {
    "n2": (
        80,
        4,
        [(2, 2, 2), (2, 3, 3), (3, 2, 4), (2, 4, 4), (3, 3, 3), (4, 2, 3), (2, 2, 3), (3, 3, 2)],
    ),
    "n3": (56, 2, [(2, 2, 2, 2), (2, 2, 2, 3), (3, 2, 2, 2), (2, 3, 2, 2)]),
    "n4": (50, 1, [(2, 2, 2, 2, 2)]),
}

# Which case groups each measure runs on, and an optional cap on the largest
# alphabet (over target and sources) of random cases.
MEASURE_GROUPS = {
    "sx": dict(groups=("bivariates", "trivariates", "n2", "n3", "n4")),
    "min": dict(groups=("bivariates", "trivariates", "n2", "n3", "n4")),
    "mmi": dict(groups=("bivariates", "trivariates", "n2", "n3", "n4")),
    "pm": dict(groups=("bivariates", "trivariates", "n2", "n3", "n4")),
    "ccs": dict(groups=("bivariates", "trivariates", "n2", "n3", "n4")),
    "broja": dict(groups=("bivariates", "n2"), max_alphabet=3),
    "dep": dict(groups=("bivariates", "n2"), max_alphabet=3),
    "gk": dict(groups=("bivariates", "trivariates", "n2", "n3"), max_alphabet=3),
    "rr": dict(groups=("bivariates", "n2")),  # PID_RR is a bivariate-only measure
}

ATOL_CONSISTENT = 1e-6


# ---------------------------------------------------------------------------
# Labels, information quantities
# ---------------------------------------------------------------------------


def atom_label(node, offset=1):
    """Label of a dit lattice node; ``offset`` maps dit variable indices to our 1-based names."""
    sets = [tuple(sorted(int(i) + offset for i in a)) for a in node]
    sets.sort(key=lambda s: (len(s), s))
    return "".join("{" + "".join(str(i) for i in s) + "}" for s in sets)


def mutual_information(p):
    """I(T; S1..Sn) in bits for an array with the target on axis 0."""
    p = np.asarray(p, dtype=float)
    pt = p.reshape(p.shape[0], -1).sum(axis=1)
    ps = p.reshape(p.shape[0], -1).sum(axis=0)
    flat = p.reshape(p.shape[0], -1)
    mask = flat > 0
    outer = np.outer(pt, ps)
    return float(np.sum(flat[mask] * np.log2(flat[mask] / outer[mask])))


def _clean(x):
    """JSON-safe float (non-finite -> None)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


def dit_to_array(d):
    """Convert a dit distribution with the target LAST to our layout (target axis 0)."""
    d = d.copy(base="linear")
    alphabets = [sorted(a) for a in d.alphabet]
    index = [{sym: k for k, sym in enumerate(a)} for a in alphabets]
    n_vars = len(alphabets)
    shape = (len(alphabets[-1]),) + tuple(len(a) for a in alphabets[:-1])
    p = np.zeros(shape)
    for outcome, prob in zip(d.outcomes, d.pmf, strict=False):
        idx = [index[i][outcome[i]] for i in range(n_vars)]
        p[(idx[-1],) + tuple(idx[:-1])] += prob
    return p / p.sum()


def canonical_cases(quick=False):
    from dit.pid.distributions import bivariates, trivariates

    cases = []
    for group, dists in (("bivariates", bivariates), ("trivariates", trivariates)):
        keys = list(dists)
        if quick:
            keys = [
                k
                for k in keys
                if k in ("and", "synergy", "unique 1", "redundant", "sum", "xor cat")
            ][:3]
        for key in keys:
            p = dit_to_array(dists[key])
            cases.append(dict(name=f"{group}/{key}", group=group, p=p))
    return cases


def random_pmf(rng, shape):
    size = int(np.prod(shape))
    w = rng.dirichlet(np.ones(size))
    zeros = bool(rng.random() < 0.5)
    if zeros:
        frac = rng.uniform(0.2, 0.3)
        k = min(int(round(frac * size)), size - 2)
        if k > 0:
            w[rng.choice(size, size=k, replace=False)] = 0.0
    w = w / w.sum()
    return w.reshape(shape)


def random_cases(quick=False, seed=SEED):
    cases = []
    for gi, (group, (n_full, n_quick, shapes)) in enumerate(RANDOM_GROUPS.items()):
        rng = np.random.default_rng([seed, gi])  # independent stream per group
        n_cases = n_full
        for k in range(n_cases):
            shape = shapes[k % len(shapes)]
            p = random_pmf(rng, shape)
            if quick and k >= n_quick:
                continue
            cases.append(dict(name=f"random/{group}/{k:03d}", group=group, p=p))
    return cases


def cases_for_measure(measure, all_cases):
    cfg = MEASURE_GROUPS[measure]
    out = []
    for c in all_cases:
        if c["group"] not in cfg["groups"]:
            continue
        if (
            c["group"].startswith("n")
            and "max_alphabet" in cfg
            and max(c["p"].shape) > cfg["max_alphabet"]
        ):
            continue
        out.append(c)
    return out


# ---------------------------------------------------------------------------
# Worker: one dit call
# ---------------------------------------------------------------------------


def install_outcomes_cache():
    """Memoise ``dit.Distribution.outcomes`` in this (worker) process.

    In dit 2.3 ``Distribution.outcomes`` is a property rebuilt from the xarray
    coordinates on every access, and PID_SX reads it inside its innermost loop
    (O(outcomes^2) accesses per lattice node), which makes one 2x2x2x2x2 pmf take
    well over 10 minutes (and one 2x2x2x3 pmf 5-10 s).  This wrapper returns the value computed by dit's own
    property, cached per distribution object and recomputed whenever the data
    object, the sparsity flag or the support (p > 0 mask) changes.  dit's code is
    not copied or altered; only repeated identical reads are served from a cache.
    Used for PID_SX cases with n >= --cache-outcomes-min-n (recorded per case as
    "dit_patch"); verified to give bit-identical golden values on n <= 3 cases.
    """
    import dit.distribution as ddist

    cls = ddist.Distribution
    if getattr(cls, "_golden_outcomes_cached", False):
        return
    orig = cls.outcomes.fget

    def outcomes(self):
        data = self.data
        mask = np.asarray(data.values).ravel() > 0 if not self.is_log() else None
        key = (
            self._sparse,
            getattr(self, "_unwrap_scalar", None),
            None if mask is None else mask.tobytes(),
        )
        cache = self.__dict__.get("_golden_outcomes_cache")
        if mask is not None and cache is not None and cache[0] is data and cache[1] == key:
            return cache[2]
        value = orig(self)
        if mask is not None:
            self.__dict__["_golden_outcomes_cache"] = (data, key, value)
        return value

    cls.outcomes = property(outcomes, doc=cls.outcomes.__doc__)
    cls._golden_outcomes_cached = True


def run_dit(measure, p, cache_outcomes=False):
    """Run one dit PID on pmf ``p`` (our layout). Returns a JSON-ready dict."""
    import dit
    import dit.pid

    if cache_outcomes:
        install_outcomes_cache()

    cls_name, pointwise = MEASURES[measure]
    cls = getattr(dit.pid, cls_name)
    p = np.asarray(p, dtype=float)
    n = p.ndim - 1
    cells = [idx for idx in np.ndindex(*p.shape) if p[idx] > 0]
    outcomes = [tuple(int(i) for i in idx[1:]) + (int(idx[0]),) for idx in cells]
    probs = [float(p[idx]) for idx in cells]
    d = dit.Distribution(outcomes, probs)
    sources = [[i] for i in range(n)]
    target = [n]

    kwargs = {}
    if pointwise:
        kwargs["pointwise"] = True
    if measure == "broja":
        kwargs["rng"] = np.random.default_rng(0)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        pid = cls(d, sources=sources, target=target, **kwargs)
        try:
            complete = bool(pid.complete)
        except Exception:  # pragma: no cover
            complete = None
        seconds = time.perf_counter() - t0

    nodes = list(pid._lattice)
    atoms, reds = {}, {}
    for node in nodes:
        lab = atom_label(node)
        atoms[lab] = _clean(pid._pis.get(node, float("nan")))
        reds[lab] = _clean(pid._reds.get(node, float("nan")))

    mi = mutual_information(p)
    vals = [v for v in atoms.values()]
    if any(v is None for v in vals):
        err, consistent = None, False
    else:
        err = float(sum(vals) - mi)
        consistent = bool(abs(err) < ATOL_CONSISTENT)

    res = dict(
        atoms=atoms,
        redundancy=reds,
        mi=mi,
        dit_total=_clean(pid._total),
        consistency_error=err,
        seconds=seconds,
        complete=complete,
        consistent=consistent,
        nonnegative=all(v is not None and v >= -ATOL_CONSISTENT for v in vals),
    )

    if pointwise:
        flat_index = {
            o: int(np.ravel_multi_index(idx, p.shape))
            for o, idx in zip(outcomes, cells, strict=False)
        }
        size = p.size

        def to_flat(pw):
            arr = [None] * size
            for o, v in pw.items():
                key = tuple(int(x) for x in o)
                arr[flat_index[key]] = _clean(v)
            return arr

        res["local_atoms"] = {atom_label(nd): to_flat(pid.get_pw_pi(nd)) for nd in nodes}
        res["local_redundancy"] = {atom_label(nd): to_flat(pid.get_pw_red(nd)) for nd in nodes}
        if getattr(pid, "_pw_reds_plus", None):
            # informative (+) / misinformative (-) parts: SX: -log2 P(a), -log2 P(a|t); PM: r+, r-
            res["local_redundancy_plus"] = {
                atom_label(nd): to_flat(pid.get_pw_red_plus(nd)) for nd in nodes
            }
            res["local_redundancy_minus"] = {
                atom_label(nd): to_flat(pid.get_pw_red_minus(nd)) for nd in nodes
            }
        # self-check of the outcome -> cell mapping: p-weighted local redundancy = redundancy
        for nd in nodes:
            lr = res["local_redundancy"][atom_label(nd)]
            g = reds[atom_label(nd)]
            if g is not None and all(
                v is not None for v, q in zip(lr, p.ravel(), strict=False) if q > 0
            ):
                m = sum(q * v for v, q in zip(lr, p.ravel(), strict=False) if q > 0)
                if abs(m - g) > 1e-9:
                    raise AssertionError(f"local/global mismatch at {atom_label(nd)}: {m} vs {g}")

    msgs = []
    for w in caught:
        m = f"{w.category.__name__}: {w.message}"
        if m not in msgs:
            msgs.append(m)
    res["warnings"] = msgs[:20]
    res["dit_patch"] = "cached Distribution.outcomes" if cache_outcomes else None
    res["nonfinite"] = sum(v is None for v in vals)
    return res


def _worker(conn, measure, p, cache_outcomes):
    try:
        res = run_dit(measure, p, cache_outcomes)
        conn.send(("ok", res))
    except BaseException as exc:  # noqa: BLE001 - record everything
        tb = traceback.format_exc(limit=3)
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{tb}"))
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# Scheduler: N processes, one fresh process per case, hard timeout per case
# ---------------------------------------------------------------------------


def run_tasks(tasks, procs, on_result, log):
    """tasks: list of (key, measure, p, cache_outcomes, timeout). on_result(key, status, payload, seconds)."""
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    pending = list(tasks)
    running = {}  # conn -> (proc, key, t0)
    while pending or running:
        while pending and len(running) < procs:
            key, measure, p, cache_outcomes, timeout = pending.pop(0)
            r, w = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_worker, args=(w, measure, p, cache_outcomes), daemon=True)
            proc.start()
            w.close()
            running[r] = (proc, key, time.perf_counter(), timeout)
        ready = mp_wait(list(running), timeout=0.5)
        for conn in ready:
            proc, key, t0, _ = running.pop(conn)
            try:
                status, payload = conn.recv()
            except EOFError:
                status, payload = "error", f"worker died (exit code {proc.exitcode})"
            conn.close()
            proc.join()
            on_result(key, status, payload, time.perf_counter() - t0)
        now = time.perf_counter()
        for conn, (proc, key, t0, timeout) in list(running.items()):
            if now - t0 > timeout:
                proc.kill()
                proc.join()
                conn.close()
                running.pop(conn)
                log(f"TIMEOUT {key} after {now - t0:.1f} s")
                on_result(key, "timeout", f"exceeded {timeout:.0f} s wall time", now - t0)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def write_json_atomic(path, obj):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as fh:
        json.dump(obj, fh, allow_nan=False)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--measures",
        default=",".join(DEFAULT_MEASURES),
        help="comma list of: " + ",".join(MEASURES),
    )
    ap.add_argument("--quick", action="store_true", help="a handful of cases per group (smoke run)")
    ap.add_argument(
        "--out", default=os.path.dirname(os.path.abspath(__file__)), help="output directory"
    )
    ap.add_argument("--procs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument(
        "--timeout", type=float, default=120.0, help="per-case wall-time limit in seconds"
    )
    ap.add_argument(
        "--timeout-n4", type=float, default=600.0, help="per-case limit for n >= 4 sources"
    )
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument(
        "--cache-outcomes-min-n",
        type=int,
        default=3,
        help="memoise dit's Distribution.outcomes in PID_SX cases with at least this many sources "
        "(speed only, 10-30x; default 3; a large value disables it)",
    )
    ap.add_argument(
        "--only", default=None, help="only cases whose name starts with one of these (comma list)"
    )
    args = ap.parse_args(argv)

    import dit

    measures = [m.strip() for m in args.measures.split(",") if m.strip()]
    for m in measures:
        if m not in MEASURES:
            ap.error(f"unknown measure {m!r}")
    os.makedirs(args.out, exist_ok=True)

    all_cases = canonical_cases(args.quick) + random_cases(args.quick, args.seed)
    if args.only:
        prefixes = tuple(args.only.split(","))
        all_cases = [c for c in all_cases if c["name"].startswith(prefixes)]

    def log(msg):
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    command = "python tests/golden/make_dit_golden.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    t_start = time.perf_counter()
    jobs = {
        m: MeasureJob(m, cases_for_measure(m, all_cases), args, command, dit.__version__)
        for m in measures
    }

    # One queue for all measures (so both workers stay busy across measure
    # boundaries); within a measure the expensive cases go first.
    tasks = []
    for m in measures:
        for c in sorted(jobs[m].cases, key=lambda c: (-c["p"].ndim, -c["p"].size)):
            n = c["p"].ndim - 1
            tasks.append(
                (
                    (m, c["name"]),
                    m,
                    c["p"],
                    m == "sx" and n >= args.cache_outcomes_min_n,
                    args.timeout_n4 if n >= 4 else args.timeout,
                )
            )
        log(f"{m} ({MEASURES[m][0]}): {len(jobs[m].cases)} cases queued")

    def on_result(key, status, payload, wall):
        job = jobs[key[0]]
        job.add(key[1], status, payload, wall, log)
        if job.done():
            job.write(partial=False)
            log(job.summary())
        elif time.perf_counter() - job.last_write > 60:
            job.write(partial=True)

    for job in jobs.values():
        if job.done():  # no cases at all
            job.write(partial=False)
    run_tasks(tasks, args.procs, on_result, log)
    log(f"total {time.perf_counter() - t_start:.1f} s")


class MeasureJob:
    """Collects the results of one measure and writes its golden file."""

    def __init__(self, measure, cases, args, command, dit_version):
        self.measure = measure
        self.cases = cases
        self.args = args
        self.command = command
        self.dit_version = dit_version
        self.path = os.path.join(args.out, f"dit_{measure}.json")
        self.order = {c["name"]: i for i, c in enumerate(cases)}
        self.by_name = {c["name"]: c for c in cases}
        self.results, self.failed, self.skipped = {}, {}, {}
        self.t0 = time.perf_counter()
        self.last_write = time.perf_counter()

    def add(self, name, status, payload, wall, log):
        if status == "ok":
            self.results[name] = payload
        elif status == "timeout":
            self.skipped[name] = dict(reason=payload, seconds=wall)
        else:
            self.failed[name] = dict(error=payload, seconds=wall)
            log(f"FAILED {self.measure} {name}: {payload.splitlines()[0]}")

    def done(self):
        return len(self.results) + len(self.failed) + len(self.skipped) == len(self.cases)

    def summary(self):
        n_bad = sum(1 for r in self.results.values() if not r["consistent"])
        return (
            f"{self.measure}: done after {time.perf_counter() - self.t0:.1f} s: {len(self.results)} ok, "
            f"{len(self.failed)} failed, {len(self.skipped)} skipped, {n_bad} inconsistent -> {self.path}"
        )

    def _base(self, name):
        c = self.by_name[name]
        return dict(name=name, shape=list(c["p"].shape), p=[float(x) for x in c["p"].ravel()])

    def _sorted(self, d):
        return [dict(self._base(k), **d[k]) for k in sorted(d, key=self.order.get)]

    def write(self, partial):
        args = self.args
        doc = dict(
            measure=self.measure,
            dit_class=MEASURES[self.measure][0],
            dit_version=self.dit_version,
            generated_by="tests/golden/make_dit_golden.py",
            command=self.command,
            seed=args.seed,
            quick=args.quick,
            partial=partial,
            python=platform.python_version(),
            numpy=np.__version__,
            conventions=dict(
                pmf="array (T, S1..Sn); axis 0 target, axis i source i; flat lists in C order",
                labels="sets of 1-based source indices, '{'+digits+'}', sets sorted by (len, tuple)",
                dit_call="dit.Distribution(outcome tuples (s1..sn, t) of cells with p>0), "
                "sources=[[0],..,[n-1]], target=[n]; dit variable i = our source i+1",
                local="flat lists over all cells in C order, null where p == 0",
                consistent=f"|sum(atoms) - I(T;S1..Sn)| < {ATOL_CONSISTENT} with I computed by numpy",
                nonfinite="non-finite dit values are stored as null",
                nonnegative=f"all atoms >= -{ATOL_CONSISTENT} (informational; e.g. SX, CCS, GK atoms may be negative)",
            ),
            timeout_seconds=args.timeout,
            timeout_seconds_n4=args.timeout_n4,
            n_cases=len(self.results),
            cases=self._sorted(self.results),
            failed=self._sorted(self.failed),
            skipped=self._sorted(self.skipped),
        )
        write_json_atomic(self.path, doc)
        self.last_write = time.perf_counter()


if __name__ == "__main__":
    main()
