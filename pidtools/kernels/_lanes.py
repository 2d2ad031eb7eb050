"""Fixed groups of :data:`LANES` float64 values handled as one vector.

Several kernels work on :data:`LANES` rows side by side (lattice chains of 8 cells, Mobius
sums of 8 pmfs) so that each table entry is read once per group. numba compiles a loop of
fixed length 8 as 8 scalar operations (LLVM unrolls it, and numba leaves its SLP vectoriser
off), so the group operations here are emitted as LLVM vector instructions directly. They
perform the same IEEE operations per lane as the scalar loops (no fused multiply-add), so the
results are bit-identical to a row-by-row evaluation.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

#: Values per group.
LANES = 8


def _lanes_pointer(context, builder, array_type, array, at):
    """Pointer to ``array[at:at + LANES]`` as a vector (the array is C-contiguous float64)."""
    data = context.make_array(array_type)(context, builder, array).data
    vector = ir.VectorType(ir.DoubleType(), LANES)
    return builder.bitcast(builder.gep(data, [at]), vector.as_pointer())


@intrinsic
def add_lanes(typingctx, dst, at, src, src_at, inc, inc_at):
    """``dst[at:at + LANES] = src[src_at:src_at + LANES] + inc[inc_at:inc_at + LANES]``."""

    def codegen(context, builder, signature, args):
        ty = signature.args
        a = builder.load(_lanes_pointer(context, builder, ty[2], args[2], args[3]), align=8)
        b = builder.load(_lanes_pointer(context, builder, ty[4], args[4], args[5]), align=8)
        out = _lanes_pointer(context, builder, ty[0], args[0], args[1])
        builder.store(builder.fadd(a, b), out, align=8)
        return context.get_dummy_value()

    return types.void(dst, types.intp, src, types.intp, inc, types.intp), codegen


@intrinsic
def axpy_lanes(typingctx, dst, at, scale, src, src_at):
    """``dst[at:at + LANES] += scale * src[src_at:src_at + LANES]`` (a product, then a sum)."""

    def codegen(context, builder, signature, args):
        ty = signature.args
        out = _lanes_pointer(context, builder, ty[0], args[0], args[1])
        x = builder.load(_lanes_pointer(context, builder, ty[3], args[3], args[4]), align=8)
        vector = ir.VectorType(ir.DoubleType(), LANES)
        s = builder.insert_element(ir.Constant(vector, ir.Undefined), args[2], ir.IntType(32)(0))
        s = builder.shuffle_vector(
            s,
            ir.Constant(vector, ir.Undefined),
            ir.Constant(ir.VectorType(ir.IntType(32), LANES), [0] * LANES),
        )
        total = builder.fadd(builder.load(out, align=8), builder.fmul(s, x))
        builder.store(total, out, align=8)
        return context.get_dummy_value()

    return types.void(dst, types.intp, types.float64, src, types.intp), codegen
