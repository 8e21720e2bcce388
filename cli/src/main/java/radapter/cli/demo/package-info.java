/**
 * The built-in demo behind {@code radapter demo}, an application of the {@code adapters} library
 * (it lives on the application side, beside the commands): a small CLIP pre-trained from scratch on
 * the synthetic shapes world (the zero-shot model), then zero-shot evaluation, a linear probe, full
 * fine-tuning (FLYP), WiSE-FT, LP-FT, R-Adapter with and without self-ensembling on the
 * in-distribution set, all scored on four distribution-shifted sets, with α sweeps, a merge check
 * and a report folder (Markdown, JSON, PNG plots, the merged model). No downloads; every number is
 * measured in the run.
 */
package radapter.cli.demo;
