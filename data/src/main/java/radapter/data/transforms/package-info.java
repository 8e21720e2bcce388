/**
 * Composable image transforms reproducing torchvision's PIL code path as the official CLIP /
 * R-Adapter code uses it: {@link radapter.data.transforms.Resize} (shorter side, Pillow-exact
 * bicubic), {@link radapter.data.transforms.CenterCrop} (round-half-to-even offsets, zero padding),
 * {@link radapter.data.transforms.RandomResizedCrop} and
 * {@link radapter.data.transforms.RandomHorizontalFlip} (random steps draw from an explicit
 * {@link radapter.tensor.Rng}), {@link radapter.data.transforms.ToTensor},
 * {@link radapter.data.transforms.Normalize} (CLIP mean/std), combined by
 * {@link radapter.data.transforms.Compose}.
 *
 * <p>{@link radapter.data.transforms.ClipPreprocess} packages the official pipelines ({@code eval},
 * {@code train}, {@code fewShotTrain}) and batches them to {@code [N, 3, n, n]};
 * {@link radapter.data.transforms.Batches#stack} stacks arbitrary per-sample tensors. The
 * evaluation pipeline is bit-exact against the Pillow 9.4 / torchvision fixtures.
 */
package radapter.data.transforms;
