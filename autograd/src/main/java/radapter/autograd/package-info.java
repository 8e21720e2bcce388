/**
 * Reverse-mode automatic differentiation over {@code radapter.tensor}, gradient checking,
 * optimizers (SGD, AdamW) and learning-rate schedules. Work in progress: see the README's status table.
 */
package radapter.autograd;
