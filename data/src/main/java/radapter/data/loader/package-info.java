/**
 * Batching and parallel decoding: {@link radapter.data.loader.DataLoader} turns a
 * {@link radapter.data.dataset.Dataset} into an iterator of {@link radapter.data.loader.Batch}es,
 * decoding and transforming images on worker threads with a bounded prefetch, reshuffling every
 * epoch from a seed. Content and order depend only on the seed and the epoch, never on the number
 * of threads. Unreadable images are skipped (counted, one warning line each) or fail the run.
 */
package radapter.data.loader;
