"""Threads in infomorph: results independent of the thread count, kernels equal to numpy."""

import numba
import numpy as np
import pytest
from threadpoolctl import threadpool_info

from infomorph import kernels
from infomorph._threads import available_threads, thread_limits
from infomorph.optim import Adam
from infomorph.record import PROBE_VARIABLES
from infomorph.train import PROBE_DTYPE, fit
from pidtools.kernels._jit import PARALLEL_MIN_CELLS


def test_training_and_prediction_do_not_depend_on_the_thread_count(digits):
    # 40 neurons x 512 samples: the hidden layer's kernels run their parallel variants
    assert 40 * 512 >= PARALLEL_MIN_CELLS
    runs = [
        fit(
            digits,
            arch="hidden",
            n_hidden=40,
            epochs=2,
            batch_size=512,
            random_state=5,
            record_probe=3,
            progress=False,
            n_threads=n,
        )
        for n in (1, 2)
    ]
    (net1, rec1), (net2, rec2) = runs
    for name, layer in net1.layers.items():
        for key, value in layer.params.items():
            np.testing.assert_array_equal(value, net2.layers[name].params[key])
    for var in ("atoms", "accuracy", "theta"):
        np.testing.assert_array_equal(rec1[var].values, rec2[var].values)
    np.testing.assert_array_equal(
        net1.predict_proba(digits.X_test, n_threads=1),
        net1.predict_proba(digits.X_test, n_threads=2),
    )
    assert all(rec1[v].dtype == PROBE_DTYPE for v in PROBE_VARIABLES)


def test_matrix_kernels_match_numpy():
    rng = np.random.default_rng(0)
    n, n_in, n_out = 2 * kernels.BLOCK + 7, kernels.BLOCK + 5, 9  # partial last blocks
    x = rng.normal(size=(n, n_in))
    w, b = rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)
    out = np.empty((n, n_out))
    kernels.affine(x.size, x, w, b, out)
    np.testing.assert_allclose(out, x @ w.T + b, rtol=1e-12, atol=1e-12)
    d_a, d_agg = rng.normal(size=(2, n, n_out))
    g_w, g_b = np.empty((n_out, n_in)), np.empty(n_out)
    kernels.weight_gradient(x.size, d_a, d_agg, x, g_w, g_b)
    np.testing.assert_allclose(g_w, (d_a * d_agg).T @ x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g_b, (d_a * d_agg).sum(axis=0), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_out", [1, 2, 9])
def test_row_kernels_read_stored_rows_like_numpy(dtype, n_out):
    # batch, inputs and neurons that leave partial row groups, column blocks and neuron pairs
    rng = np.random.default_rng(n_out)
    n, n_in = 2 * kernels.BLOCK + 7, 2 * kernels.COLUMNS + 5
    X = rng.normal(size=(500, n_in)).astype(dtype)
    idx = rng.permutation(500)[:n]
    x = X[idx].astype(np.float64)
    w, b = rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)
    out = np.empty((n, n_out))
    kernels.affine_rows(X, idx, w, b, out)
    np.testing.assert_allclose(out, x @ w.T + b, rtol=1e-12, atol=1e-12)
    d_a, d_agg = rng.normal(size=(2, n, n_out))
    g_w, g_b = np.empty((n_out, n_in)), np.empty(n_out)
    kernels.weight_gradient_rows(d_a, d_agg, X, idx, g_w, g_b)
    np.testing.assert_allclose(g_w, (d_a * d_agg).T @ x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g_b, (d_a * d_agg).sum(axis=0), rtol=1e-12, atol=1e-12)
    with thread_limits(2):  # the same bits on two threads
        out2, g_w2, g_b2 = np.empty_like(out), np.empty_like(g_w), np.empty_like(g_b)
        kernels.affine_rows(X, idx, w, b, out2)
        kernels.weight_gradient_rows(d_a, d_agg, X, idx, g_w2, g_b2)
    np.testing.assert_array_equal(out2, out)
    np.testing.assert_array_equal(g_w2, g_w)
    np.testing.assert_array_equal(g_b2, g_b)


def test_sigmoid_kernel_is_within_two_ulp_of_libm():
    rng = np.random.default_rng(2)
    a = np.concatenate(
        [rng.uniform(-40, 40, 20000), rng.uniform(-700, 700, 2000), [0.0, -0.0, 1e-300, 700.0]]
    )
    a = np.concatenate([a, -a])
    out = np.empty_like(a)
    kernels.clipped_sigmoid(a.size, a, 1000.0, out)
    e = np.exp(-np.abs(a))  # the logistic function without cancellation on either side
    reference = np.where(a >= 0, 1.0, e) / (1.0 + e)
    assert np.all(np.abs(out - reference) <= 2.0 * np.spacing(reference))
    kernels.clipped_sigmoid(a.size, a, 30.0, out)  # clipped at +-30
    np.testing.assert_array_equal(out[a >= 30.0], out[a == 700.0][0])


def test_adam_follows_kingma_and_ba():
    rng = np.random.default_rng(1)
    w0, grads = rng.normal(size=(3, 4)), rng.normal(size=(5, 3, 4))
    params = {"w": w0.copy()}
    opt = Adam(params, ["w"], lr=0.01, weight_decay=0.1)
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    for t, g in enumerate(grads, start=1):
        opt.descend({"w": g})
        step = -g - 0.1 * w
        m = 0.9 * m + 0.1 * step
        v = 0.999 * v + 0.001 * step**2
        w = w + 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(params["w"], w, rtol=1e-13, atol=1e-15)
    with pytest.raises(TypeError, match="C-contiguous float64"):
        Adam({"w": np.ones((4, 4))[:, ::2]}, ["w"], lr=0.1)


def test_thread_limits_give_numba_the_threads_and_blas_one():
    before = numba.get_num_threads()
    with thread_limits(None) as n:
        assert 1 <= n <= available_threads() and n == numba.get_num_threads()
        blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
        assert blas and all(i["num_threads"] == 1 for i in blas)
    assert numba.get_num_threads() == before
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="n_threads"):
            with thread_limits(bad):
                pass


def test_sampled_signs_follow_theta_and_do_not_depend_on_the_variant():
    # 64 probabilities x 4096 draws each: +1 frequencies within 5 binomial standard errors
    theta = np.repeat(np.linspace(0.0, 1.0, 64), 4096)
    out = np.empty_like(theta)
    kernels.sample_signs.parallel(np.uint64(12345), theta, out)
    freq = (out.reshape(64, 4096) > 0).mean(axis=1)
    se = np.sqrt(np.linspace(0.0, 1.0, 64) * (1 - np.linspace(0.0, 1.0, 64)) / 4096)
    assert np.all(np.abs(freq - np.linspace(0.0, 1.0, 64)) <= 5 * se + 1e-12)
    assert freq[0] == 0.0 and freq[-1] == 1.0
    serial = np.empty_like(theta)
    kernels.sample_signs.serial(np.uint64(12345), theta, serial)
    np.testing.assert_array_equal(out, serial)
    other = np.empty_like(theta)
    kernels.sample_signs.serial(np.uint64(12346), theta, other)
    assert np.mean(out != other) > 0.2  # another key, other draws


def test_sampled_uniforms_are_uniform_and_uncorrelated():
    # the sign at threshold t tells whether u >= t: with the thresholds k / 16, k = 1..15, the
    # number of thresholds at or below u is u's bin of 16 equal bins
    n = 1 << 20
    u_bin = np.zeros(n, dtype=np.int64)
    out = np.empty(n)
    for k in range(1, 16):
        kernels.sample_signs.serial(np.uint64(7), np.full(n, k / 16), out)
        u_bin += out < 0
    counts = np.bincount(u_bin, minlength=16)
    chi2 = np.sum((counts - n / 16) ** 2 / (n / 16))
    assert chi2 < 45  # 15 degrees of freedom: P(chi2 > 45) < 1e-4
    # consecutive counters give independent values
    assert abs(np.corrcoef(u_bin[:-1], u_bin[1:])[0, 1]) < 5 / np.sqrt(n)
