/**
 * Evaluation: classifiers over image features ({@link radapter.adapters.eval.Classifier}: zero-shot
 * heads from class names and prompt templates, trained linear probes), top-k accuracy over class
 * subsets ({@link radapter.adapters.eval.ClassSubset}), image–text retrieval recall@K, and
 * reports as Markdown, CSV and JSON ({@link radapter.adapters.eval.EvalReport}).
 */
package radapter.adapters.eval;
