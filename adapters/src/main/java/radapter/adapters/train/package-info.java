/**
 * Fine-tuning: the training loop ({@link radapter.adapters.train.FineTuner}) with AdamW, warm-up +
 * cosine schedule, gradient clipping, EMA or BMA averaging, exact gradient accumulation and
 * atomic, resumable checkpoints; and the linear-probe baseline
 * ({@link radapter.adapters.train.LinearProbe}, logistic regression by L-BFGS on frozen features).
 */
package radapter.adapters.train;
