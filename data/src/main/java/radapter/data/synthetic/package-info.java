/**
 * A synthetic, seeded image–text dataset for the built-in demo and for tests:
 * {@link radapter.data.synthetic.SyntheticShapes} renders coloured shapes (12 classes, colour ×
 * shape) with Java2D, with captions, in a broad pre-training split, an in-distribution
 * fine-tuning/test pair and four distribution-shifted test splits modelled on ImageNet's
 * (sketch, texture, palette, geometry). Images are produced on demand from (seed, split, index),
 * so a split is served from memory without being stored, and can be written out as PNGs plus an
 * R-Adapter CSV.
 */
package radapter.data.synthetic;
