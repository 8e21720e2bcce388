/** Test support shared by every module's tests (published as the tensor module's test-jar). */
package radapter.testing;
