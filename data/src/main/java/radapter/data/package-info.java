/**
 * Image decoding, CLIP preprocessing (PIL-exact bicubic resize, centre crop, normalisation),
 * datasets (CSV, class folders, k-shot, captions), parallel loaders and the synthetic demo dataset,
 * in the subpackages {@code image}, {@code transforms}, {@code dataset}, {@code loader} and
 * {@code synthetic}.
 */
package radapter.data;
