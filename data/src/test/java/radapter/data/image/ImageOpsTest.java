package radapter.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ImageOpsTest {
    private static RgbImage numbered(int w, int h) {
        RgbImage img = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.set(x, y, 0, 1 + x);
                img.set(x, y, 1, 1 + y);
                img.set(x, y, 2, 100);
            }
        }
        return img;
    }

    @Test
    void cropInside() {
        RgbImage c = ImageOps.crop(numbered(6, 4), 2, 1, 3, 2);
        assertEquals(3, c.width());
        assertEquals(2, c.height());
        assertEquals(3, c.get(0, 0, 0));
        assertEquals(2, c.get(0, 0, 1));
        assertEquals(5, c.get(2, 1, 0));
        assertEquals(3, c.get(2, 1, 1));
    }

    @Test
    void cropOutsideIsBlack() {
        RgbImage c = ImageOps.crop(numbered(2, 2), -1, -2, 4, 5);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 4; x++) {
                boolean inside = x >= 1 && x <= 2 && y >= 2 && y <= 3;
                assertEquals(inside ? 100 : 0, c.get(x, y, 2), "(" + x + ", " + y + ")");
                if (inside) {
                    assertEquals(x, c.get(x, y, 0));
                    assertEquals(y - 1, c.get(x, y, 1));
                }
            }
        }
        // Entirely outside: all black.
        RgbImage far = ImageOps.crop(numbered(2, 2), 10, 10, 3, 3);
        for (byte b : far.pixels()) {
            assertEquals(0, b);
        }
    }

    @Test
    void flip() {
        RgbImage f = ImageOps.flipHorizontal(numbered(5, 3));
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                assertEquals(5 - x, f.get(x, y, 0));
                assertEquals(1 + y, f.get(x, y, 1));
            }
        }
    }

    @Test
    void rejectsEmptyCrop() {
        assertThrows(IllegalArgumentException.class, () -> ImageOps.crop(numbered(2, 2), 0, 0, 0, 1));
    }
}
