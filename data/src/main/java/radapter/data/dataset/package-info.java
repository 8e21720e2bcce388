/**
 * Datasets: what a sample is ({@link radapter.data.dataset.Sample}), where it comes from and how
 * its pixels are obtained ({@link radapter.data.dataset.Dataset}, {@link radapter.data.dataset.ImageSource}).
 *
 * <ul>
 *   <li>{@link radapter.data.dataset.CsvDataset}: the R-Adapter training CSVs (columns {@code filepath},
 *       {@code title}, {@code class}; tab- or comma-separated, RFC-4180 quoting, header required).</li>
 *   <li>{@link radapter.data.dataset.ClassFolderDataset}: ImageNet-style {@code root/<class>/*.jpg}.</li>
 *   <li>{@link radapter.data.dataset.CaptionDataset}: retrieval data, several captions per image
 *       (COCO captions JSON, Karpathy-split JSON, or CSV).</li>
 *   <li>{@link radapter.data.dataset.KShot}: seeded k-images-per-class subsets.</li>
 *   <li>{@link radapter.data.dataset.ClassNames} and {@link radapter.data.dataset.PromptTemplates}:
 *       class names and prompt templates (the 80 OpenAI ImageNet templates ship as a resource).</li>
 * </ul>
 *
 * <p>Paths are resolved when a dataset is read and must stay inside the dataset root (checked
 * lexically and, for files that exist, through symbolic links) unless the reader is told
 * {@code allowOutsideRoot}. Bad rows are reported as {@code file:line: reason}; each reader either
 * skips and counts them or fails, by {@link radapter.data.dataset.ErrorPolicy}.
 */
package radapter.data.dataset;
