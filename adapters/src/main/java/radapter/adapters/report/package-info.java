/** Run reports: PNG plots of loss curves and α sweeps. */
package radapter.adapters.report;
