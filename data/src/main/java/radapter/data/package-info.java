/**
 * Image decoding, CLIP preprocessing (PIL-exact bicubic resize, centre crop, normalisation),
 * datasets (CSV, class folders, k-shot, captions), parallel loaders and the synthetic demo dataset.
 * Work in progress: see the README's status table.
 */
package radapter.data;
