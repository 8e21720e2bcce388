/**
 * The built-in demo behind {@code radapter demo}: a small CLIP pre-trained from scratch on the
 * synthetic shapes data (the zero-shot model), then zero-shot evaluation, full fine-tuning,
 * R-Adapter with and without self-ensembling and a linear probe on the in-distribution set, all
 * scored on four distribution-shifted sets, with an α sweep, a merge check and a report folder
 * (Markdown, JSON, PNG plots, the merged model). No downloads; every number is measured in the run.
 */
package radapter.adapters.demo;
