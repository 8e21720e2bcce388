/**
 * Models: {@code radapter.models.nn} (modules and CLIP's layers), {@code radapter.models.clip}
 * (the towers, checkpoint layouts, configuration inference, loading) and
 * {@code radapter.models.tokenizer} (the CLIP BPE tokenizer). Safetensors I/O lives in
 * {@code radapter.tensor.io}.
 */
package radapter.models;
