/**
 * Images: the {@link radapter.data.image.RgbImage} every format is decoded to, decoding
 * ({@link radapter.data.image.ImageDecoder}: ImageIO plus TwelveMonkeys plugins, Pillow's
 * {@code convert("RGB")} rules, {@link radapter.data.image.ImageDecodeException} on every failure),
 * Pillow-exact resampling ({@link radapter.data.image.Resampler}) and pixel-moving operations
 * ({@link radapter.data.image.ImageOps}).
 */
package radapter.data.image;
