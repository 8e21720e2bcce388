/**
 * Reading and writing tensors: the safetensors format (memory-mapped, zero-copy, strictly
 * validated, atomically written, sharded checkpoints) and the small JSON reader/writer its
 * headers, model configs and dataset files need. It lives in the tensor module (not models) so
 * that every module's tests and tools can read golden tensors.
 */
package radapter.tensor.io;
