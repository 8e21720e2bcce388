/**
 * The robust fine-tuning baselines R-Adapter is compared against: {@link radapter.adapters.robust.WiseFt}
 * (Wortsman et al. 2022, weight-space ensembles of the zero-shot and the fine-tuned weights) and
 * {@link radapter.adapters.robust.LpFt} (Kumar et al. 2022, a linear probe first, then full
 * fine-tuning from the probe's head).
 */
package radapter.adapters.robust;
