/**
 * Images: the {@link radapter.data.image.RgbImage} every format is decoded to, decoding (ImageIO
 * plus TwelveMonkeys plugins), and PIL-exact resampling.
 */
package radapter.data.image;
