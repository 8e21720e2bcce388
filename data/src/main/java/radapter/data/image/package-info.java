/**
 * Images: the {@link radapter.data.image.RgbImage} every format is decoded to, decoding
 * ({@link radapter.data.image.ImageDecoder}: a pure-Java baseline JPEG decoder bit-identical to the
 * JDK's libjpeg for common files, ImageIO plus TwelveMonkeys plugins for everything else, Pillow's
 * {@code convert("RGB")} rules, {@link radapter.data.image.ImageDecodeException} on every failure),
 * Pillow-exact resampling ({@link radapter.data.image.Resampler}) and pixel-moving operations
 * ({@link radapter.data.image.ImageOps}). The JPEG decoder's IDCT, upsampling and colour
 * conversion and the resampler's two passes have Vector API versions that give the same bytes;
 * without the {@code jdk.incubator.vector} module the scalar code runs.
 */
package radapter.data.image;
