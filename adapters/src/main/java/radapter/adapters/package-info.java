/**
 * R-Adapter: adapter blocks inside both CLIP towers, the MPM-NCE loss, EMA self-ensembling,
 * re-parameterisation into the frozen weights, weight-space ensembling, fine-tuning loops and
 * robustness evaluation. Work in progress: see the README's status table.
 */
package radapter.adapters;
