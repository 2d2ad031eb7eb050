"""Prediction with a stochastic hidden layer: one draw, averages of k draws, mean field.

Trains one hidden-layer infomorphic network per seed and reports its test (and validation)
accuracy when the read-out sees one random draw of the hidden outputs, the average read-out
over k draws, or the hidden layer's expected outputs (mean field, the default of
``InfomorphicNetwork.predict``).

Example::

    python benchmarks/bench_infomorph_inference.py --dataset fashion-mnist --epochs 40 --seeds 0
"""

from __future__ import annotations

import argparse

from infomorph.data import load
from infomorph.train import fit


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="digits")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--batch-size", type=int, default=None, help="default: 1024 (digits: 128)")
    ap.add_argument("--hidden-classes", default="three")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--draws", type=int, nargs="+", default=[1, 4, 16, 64])
    args = ap.parse_args(argv)
    data = load(args.dataset)
    batch = args.batch_size or (128 if args.dataset == "digits" else 1024)
    print(
        f"{args.dataset}, 100 hidden ({args.hidden_classes}), {args.epochs} epochs, batch {batch}\n"
    )
    print("| seed | split | " + " | ".join(f"{k} draws" for k in args.draws) + " | mean field |")
    print("|---" * (len(args.draws) + 3) + "|")
    for seed in args.seeds:
        net, _ = fit(
            data,
            arch="hidden",
            hidden_classes=args.hidden_classes,
            epochs=args.epochs,
            batch_size=batch,
            random_state=seed,
            record_atoms=False,
            progress=False,
        )
        for split in ("validation", "test"):
            X, y = data.split(split)
            accs = [net.accuracy(X, y, n_samples=k) for k in args.draws]
            accs.append(net.accuracy(X, y))
            print(
                f"| {seed} | {split} | " + " | ".join(f"{a:.4f}" for a in accs) + " |", flush=True
            )


if __name__ == "__main__":
    main()
