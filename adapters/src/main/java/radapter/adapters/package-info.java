/**
 * R-Adapter (Kim et al., ECCV 2024): {@link radapter.adapters.RAdapter} blocks installed into
 * both CLIP towers by {@link radapter.adapters.AdaptedClip}, which also owns the averaged twins
 * (EMA, or BMA as {@link radapter.adapters.Bma} describes), the
 * re-parameterisation into the frozen projections and the merged export; the MPM-NCE and CLIP
 * losses are in {@link radapter.adapters.ContrastiveLoss}.
 *
 * <p>Choices where the official code and the paper differ (see {@code radapter-spec.md} §11): the
 * rank rule ({@link radapter.adapters.RankRule}, paper by default), the drop-mask axis
 * ({@link radapter.adapters.DropMaskAxis}, per sample by default), the merge uses the configured
 * eval scale α (the official code always merges with 0.5), MPM-NCE uses a stable log-softmax and
 * guards the all-one-label batch, and installing adapters freezes every base parameter of both
 * towers even when only one tower gets adapters.
 */
package radapter.adapters;
