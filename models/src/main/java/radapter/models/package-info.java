/**
 * CLIP vision and text encoders, {@code Module}/parameter trees, safetensors reading and writing,
 * checkpoint key layouts (OpenAI/open_clip and Hugging Face) and the CLIP BPE tokenizer.
 * Work in progress: see the README's status table.
 */
package radapter.models;
