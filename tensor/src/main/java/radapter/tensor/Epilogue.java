package radapter.tensor;

import java.util.Arrays;

/**
 * What {@link Backend#matmul(Tensor, Tensor, Tensor, Epilogue)} does with a product before it is
 * stored, BLAS-style: {@code out = β·R + α·s·rowScale ⊙ (A·B)}.
 *
 * <p>{@code alpha} is a host constant; {@code scale} s is a one-element tensor (a learnable scale
 * lives on the device, so it is not read back to the host) or null for 1; {@code rowScale} is
 * [M], one factor per output row (broadcast over columns and batches), or null; {@code residual} R
 * has the output's shape, or is null, and is then ignored together with {@code beta}. As with
 * {@code torch.addmm}, β = 0 ignores R entirely (its NaNs do not propagate).
 *
 * <p>Build one with {@link #builder()} or the factories {@link #none()} and {@link #scaled}.
 *
 * @param alpha    host factor on the product
 * @param scale    one-element factor on the product, or null
 * @param rowScale per-row factor [M] on the product, or null
 * @param beta     host factor on the residual
 * @param residual tensor of the output's shape added to the result, or null
 */
public record Epilogue(double alpha, Tensor scale, Tensor rowScale, double beta, Tensor residual) {

    private static final Epilogue NONE = new Epilogue(1, null, null, 0, null);

    /** Validates what does not depend on the product's shape (see {@link #check(Tensor)}). */
    public Epilogue {
        if (!Double.isFinite(alpha) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("matmul epilogue: alpha and beta must be finite, got " + alpha + " and " + beta);
        }
        if (scale != null && scale.numel() != 1) {
            throw new IllegalArgumentException("matmul epilogue: the scale must have one element, got shape " + Shapes.str(scale.shape()));
        }
        if (rowScale != null && rowScale.dim() != 1) {
            throw new IllegalArgumentException("matmul epilogue: the row scale must be [M], got shape " + Shapes.str(rowScale.shape()));
        }
    }

    /** The plain product, {@code out = A·B}. */
    public static Epilogue none() {
        return NONE;
    }

    /** {@code out = s · (A·B)} for a one-element {@code scale}. */
    public static Epilogue scaled(Tensor scale) {
        return builder().scale(scale).build();
    }

    /** A builder starting from the plain product (α = 1, β = 1 once a residual is set). */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether the residual takes part: present and β ≠ 0. */
    public boolean hasResidual() {
        return residual != null && beta != 0;
    }

    /** Whether this is the plain product. */
    public boolean isIdentity() {
        return alpha == 1 && scale == null && rowScale == null && !hasResidual();
    }

    /**
     * Checks the operands against the output of the product they apply to ({@code [..., M, N]}),
     * one line naming the operand and both shapes on a mismatch.
     */
    public void check(Tensor out) {
        if (rowScale != null && (out.dim() < 2 || rowScale.size(0) != out.size(-2))) {
            throw new IllegalArgumentException("matmul epilogue: the row scale must be [" + (out.dim() < 2 ? "M" : out.size(-2))
                    + "] for an output of shape " + Shapes.str(out.shape()) + ", got " + Shapes.str(rowScale.shape()));
        }
        if (hasResidual() && !Arrays.equals(residual.shape(), out.shape())) {
            throw new IllegalArgumentException("matmul epilogue: the residual must have the output's shape " + Shapes.str(out.shape())
                    + ", got " + Shapes.str(residual.shape()));
        }
    }

    /** The one-element scale as a stride-0 view of {@code like}'s shape (no copy). */
    Tensor scaleAs(Tensor like) {
        return new Tensor(scale.dtype(), like.shape(), new long[like.dim()], scale.offset(), scale.storage());
    }

    /** The row scale as a stride-0 view of {@code like}'s shape [..., M, N] (no copy). */
    Tensor rowScaleAs(Tensor like) {
        long[] strides = new long[like.dim()];
        strides[like.dim() - 2] = rowScale.stride(0);
        return new Tensor(rowScale.dtype(), like.shape(), strides, rowScale.offset(), rowScale.storage());
    }

    /** Builds an {@link Epilogue}; every part is optional. */
    public static final class Builder {
        private double alpha = 1;
        private Tensor scale;
        private Tensor rowScale;
        private Double beta;
        private Tensor residual;

        private Builder() {
        }

        /** Host factor on the product (default 1). */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** One-element factor on the product. */
        public Builder scale(Tensor scale) {
            this.scale = scale;
            return this;
        }

        /** Per-row factor [M] on the product. */
        public Builder rowScale(Tensor rowScale) {
            this.rowScale = rowScale;
            return this;
        }

        /** Host factor on the residual (default 1 when a residual is set). */
        public Builder beta(double beta) {
            this.beta = beta;
            return this;
        }

        /** A tensor of the output's shape added to the result. */
        public Builder residual(Tensor residual) {
            this.residual = residual;
            return this;
        }

        /** The epilogue; validates the parts that do not depend on the product's shape. */
        public Epilogue build() {
            return new Epilogue(alpha, scale, rowScale, beta != null ? beta : residual != null ? 1 : 0, residual);
        }
    }
}
