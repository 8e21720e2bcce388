/** The {@code radapter} command line (picocli). Thin: it parses, calls library API and prints. */
package radapter.cli;
