/**
 * Fine-tuning: the training loop ({@link radapter.adapters.train.FineTuner}) with AdamW, warm-up +
 * cosine schedule, gradient clipping, EMA, exact gradient accumulation and atomic, resumable
 * checkpoints.
 */
package radapter.adapters.train;
