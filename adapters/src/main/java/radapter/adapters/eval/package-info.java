/**
 * Evaluation: zero-shot heads from class names and prompt templates, top-k accuracy over class
 * subsets, and image–text retrieval recall@K.
 */
package radapter.adapters.eval;
