/**
 * CLIP: the vision and text towers, the joint model, configuration inference and loading of
 * OpenAI/open_clip and Hugging Face checkpoints (zero-copy from memory-mapped safetensors).
 */
package radapter.models.clip;
