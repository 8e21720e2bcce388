/**
 * Pretrained models by name from the Hugging Face hub, in the hub's own cache layout, so that a
 * model already fetched by {@code transformers}, {@code open_clip} or {@code huggingface-cli} is
 * found without a download, and one fetched here is found by them.
 *
 * <ul>
 *   <li>{@link radapter.models.hub.HubSettings}: endpoint, cache folder, token and offline mode,
 *       from the same environment variables {@code huggingface_hub} reads ({@code HF_ENDPOINT},
 *       {@code HF_HOME}, {@code HF_HUB_CACHE}, {@code HF_TOKEN}, {@code HF_HUB_OFFLINE}).</li>
 *   <li>{@link radapter.models.hub.HubCache}: {@code models--org--name/} with {@code blobs/}
 *       named by the hub's ETag, {@code snapshots/<commit>/} linking into them, and
 *       {@code refs/<revision>} holding the commit a branch pointed at.</li>
 *   <li>{@link radapter.models.hub.Hub}: fetches files into that cache: resumable with HTTP
 *       ranges, each file checked against the hub's checksum (SHA-256 for LFS files, the git blob
 *       SHA-1 for small ones) before it becomes visible, progress reported to a
 *       {@link radapter.models.hub.DownloadListener}.</li>
 *   <li>{@link radapter.models.hub.Pretrained}: turns what a user types ({@code
 *       openai/clip-vit-base-patch16}, open_clip's {@code ViT-B-16} + {@code openai}, or a local
 *       path) into the weights, config and vocabulary files to load.</li>
 * </ul>
 */
package radapter.models.hub;
