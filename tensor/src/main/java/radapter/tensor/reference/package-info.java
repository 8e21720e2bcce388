/**
 * The {@code reference} backend: scalar, double-precision, obviously correct. Every other backend
 * is tested against it, and gradient checks run on it in F64.
 */
package radapter.tensor.reference;
