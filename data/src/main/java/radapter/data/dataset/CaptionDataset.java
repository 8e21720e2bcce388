package radapter.data.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import radapter.tensor.io.Json;

/**
 * Image–text retrieval data: images, each with one or more captions. Read from
 * <ul>
 *   <li>COCO captions JSON: {@code {"images":[{"file_name","id"}], "annotations":[{"image_id","caption"}]}};</li>
 *   <li>Karpathy-split JSON (COCO, Flickr30k): {@code {"images":[{"filename", "filepath"?, "split"?,
 *       "sentences":[{"raw"}]}]}}, optionally filtered by split;</li>
 *   <li>a {@link CsvDataset} with one row per caption: rows with the same path form one image, in
 *       order of first appearance.</li>
 * </ul>
 * Images keep file order; captions keep their order per image; tabs and line breaks in captions
 * become spaces and the ends are trimmed (as the official CSV creation does). Images without a
 * caption are left out and counted.
 *
 * <p>Two views feed a loader: {@link #images()} (one sample per image, label = image index, caption
 * = its first caption) and {@link #pairs()} (one sample per caption, label = its image's index: the
 * official retrieval training rows).
 */
public final class CaptionDataset {
    /**
     * One image and its captions.
     *
     * @param path     the image file (absolute, normalised)
     * @param id       the id in the source (COCO image id, Karpathy {@code cocoid}/{@code imgid}), else the position
     * @param captions at least one
     */
    public record Entry(Path path, long id, List<String> captions) {
        public Entry {
            Objects.requireNonNull(path);
            captions = List.copyOf(captions);
            if (captions.isEmpty()) {
                throw new IllegalArgumentException("an image needs at least one caption: " + path);
            }
        }
    }

    private final List<Entry> entries;
    private final int captionCount;
    private final int[] captionImage;
    private final int imagesWithoutCaptions;

    private CaptionDataset(List<Entry> entries, int imagesWithoutCaptions) {
        this.entries = List.copyOf(entries);
        this.imagesWithoutCaptions = imagesWithoutCaptions;
        int n = 0;
        for (Entry e : this.entries) {
            n += e.captions().size();
        }
        this.captionCount = n;
        this.captionImage = new int[n];
        int at = 0;
        for (int i = 0; i < this.entries.size(); i++) {
            for (int j = 0; j < this.entries.get(i).captions().size(); j++) {
                captionImage[at++] = i;
            }
        }
    }

    /** A caption dataset over these entries. */
    public static CaptionDataset of(List<Entry> entries) {
        return new CaptionDataset(entries, 0);
    }

    /** Options for reading a JSON annotation file. */
    public static Reader reader() {
        return new Reader();
    }

    /** Groups the rows of {@code csv} (which must have captions) by image path. */
    public static CaptionDataset fromCsv(Dataset csv) {
        Map<Path, List<String>> groups = new LinkedHashMap<>();
        for (int i = 0; i < csv.size(); i++) {
            Sample s = csv.get(i);
            if (s.caption() == null) {
                throw new DatasetException("row " + i + " (" + s.describe() + ") has no caption; a caption CSV needs a caption column");
            }
            groups.computeIfAbsent(s.path(), p -> new ArrayList<>()).add(clean(s.caption()));
        }
        List<Entry> entries = new ArrayList<>(groups.size());
        int id = 0;
        for (Map.Entry<Path, List<String>> g : groups.entrySet()) {
            entries.add(new Entry(g.getKey(), id++, g.getValue()));
        }
        return new CaptionDataset(entries, 0);
    }

    /** The images with their captions, in file order. */
    public List<Entry> entries() {
        return entries;
    }

    /** Number of images. */
    public int imageCount() {
        return entries.size();
    }

    /** Number of captions over all images. */
    public int captionCount() {
        return captionCount;
    }

    /** For caption {@code j} of {@link #pairs()}: the index of its image. */
    public int imageOfCaption(int j) {
        return captionImage[j];
    }

    /** Images in the source that had no caption and were left out. */
    public int imagesWithoutCaptions() {
        return imagesWithoutCaptions;
    }

    /** One sample per image: label = image index, caption = the image's first caption. */
    public Dataset images() {
        List<Sample> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            out.add(new Sample(i, e.path(), i, e.captions().getFirst()));
        }
        return Dataset.of(out, ClassNames.NONE);
    }

    /** One sample per caption, grouped by image: label = the image's index. */
    public Dataset pairs() {
        List<Sample> out = new ArrayList<>(captionCount);
        for (int i = 0; i < entries.size(); i++) {
            for (String c : entries.get(i).captions()) {
                out.add(new Sample(out.size(), entries.get(i).path(), i, c));
            }
        }
        return Dataset.of(out, ClassNames.NONE);
    }

    static String clean(String caption) {
        return caption.replace('\t', ' ').replace('\r', ' ').replace('\n', ' ').strip();
    }

    /** Options for reading COCO-captions or Karpathy-split JSON. */
    public static final class Reader {
        private Path imageDir;
        private String split;
        private boolean allowOutsideRoot;
        private ErrorPolicy onBadEntry = ErrorPolicy.FAIL;
        private Consumer<String> warnings = line -> System.getLogger(CaptionDataset.class.getName()).log(System.Logger.Level.WARNING, line);

        private Reader() {
        }

        /** Folder the image names are relative to, and the dataset root (default: the JSON's folder). */
        public Reader imageDir(Path dir) {
            this.imageDir = dir;
            return this;
        }

        /** Karpathy JSON only: keep images whose {@code split} is this ({@code "test"}, ...); default all. */
        public Reader split(String name) {
            this.split = name;
            return this;
        }

        /** Accept image paths outside the image folder (default false). */
        public Reader allowOutsideRoot(boolean allow) {
            this.allowOutsideRoot = allow;
            return this;
        }

        /** Skip (counted, one warning each) or fail on a bad entry (default fail). */
        public Reader onBadEntry(ErrorPolicy policy) {
            this.onBadEntry = Objects.requireNonNull(policy);
            return this;
        }

        /** Where skipped-entry warnings go (default: a {@link System.Logger} warning). */
        public Reader warnings(Consumer<String> sink) {
            this.warnings = Objects.requireNonNull(sink);
            return this;
        }

        /** Reads {@code json}, telling COCO-captions from Karpathy format by its keys. */
        public CaptionDataset read(Path json) throws IOException {
            Path file = json.toAbsolutePath().normalize();
            Map<String, Object> doc;
            try {
                doc = Json.parseObject(radapter.tensor.io.TextFiles.readString(file));
            } catch (Json.JsonException e) {
                throw new DatasetException(file, 0, "not valid JSON at character " + e.offset() + ": " + e.getMessage());
            }
            Path dir = imageDir != null ? imageDir : file.getParent();
            RootGuard guard = new RootGuard(dir, dir, allowOutsideRoot);
            List<Object> images = list(doc, "images", file, "the top level");
            if (doc.containsKey("annotations")) {
                return coco(doc, images, file, guard);
            }
            return karpathy(images, file, guard);
        }

        private CaptionDataset coco(Map<String, Object> doc, List<Object> images, Path file, RootGuard guard) {
            List<Object> annotations = list(doc, "annotations", file, "the top level");
            Map<Long, Integer> byId = new LinkedHashMap<>();
            List<Path> paths = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            int skipped = 0;
            for (int i = 0; i < images.size(); i++) {
                String where = "images[" + i + "]";
                try {
                    Map<String, Object> img = object(images.get(i), where);
                    String name = string(img, "file_name", where);
                    long id = number(img, "id", where);
                    Path p = guard.resolve(name);
                    if (byId.putIfAbsent(id, paths.size()) != null) {
                        throw new BadEntry(where + ": image id " + id + " appears twice");
                    }
                    paths.add(p);
                    ids.add(id);
                } catch (BadEntry e) {
                    skipped += bad(file, e.getMessage());
                }
            }
            List<List<String>> captions = new ArrayList<>();
            for (int i = 0; i < paths.size(); i++) {
                captions.add(new ArrayList<>());
            }
            for (int i = 0; i < annotations.size(); i++) {
                String where = "annotations[" + i + "]";
                try {
                    Map<String, Object> a = object(annotations.get(i), where);
                    long id = number(a, "image_id", where);
                    String caption = string(a, "caption", where);
                    Integer at = byId.get(id);
                    if (at == null) {
                        throw new BadEntry(where + ": image_id " + id + " is not among the images");
                    }
                    captions.get(at).add(clean(caption));
                } catch (BadEntry e) {
                    skipped += bad(file, e.getMessage());
                }
            }
            return assemble(paths, ids, captions, file, skipped);
        }

        private CaptionDataset karpathy(List<Object> images, Path file, RootGuard guard) {
            List<Path> paths = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            List<List<String>> captions = new ArrayList<>();
            int skipped = 0;
            for (int i = 0; i < images.size(); i++) {
                String where = "images[" + i + "]";
                try {
                    Map<String, Object> img = object(images.get(i), where);
                    if (split != null) {
                        Object s = img.get("split");
                        if (!split.equals(s)) {
                            continue;
                        }
                    }
                    String name = string(img, "filename", where);
                    Object folder = img.get("filepath");
                    String rel = folder instanceof String f && !f.isEmpty() ? f + "/" + name : name;
                    Path p = guard.resolve(rel);
                    long id = img.get("cocoid") instanceof Long l ? l : img.get("imgid") instanceof Long l2 ? l2 : i;
                    if (!(img.get("sentences") instanceof List<?> sentences)) {
                        throw new BadEntry(where + ": 'sentences' must be an array" + (img.containsKey("sentences") ? "" : " (missing)"));
                    }
                    List<String> cs = new ArrayList<>();
                    for (int j = 0; j < sentences.size(); j++) {
                        String w = where + ".sentences[" + j + "]";
                        cs.add(clean(string(object(sentences.get(j), w), "raw", w)));
                    }
                    paths.add(p);
                    ids.add(id);
                    captions.add(cs);
                } catch (BadEntry e) {
                    skipped += bad(file, e.getMessage());
                }
            }
            return assemble(paths, ids, captions, file, skipped);
        }

        private CaptionDataset assemble(List<Path> paths, List<Long> ids, List<List<String>> captions, Path file, int skipped) {
            List<Entry> entries = new ArrayList<>();
            int without = 0;
            for (int i = 0; i < paths.size(); i++) {
                if (captions.get(i).isEmpty()) {
                    without++;
                } else {
                    entries.add(new Entry(paths.get(i), ids.get(i), captions.get(i)));
                }
            }
            if (without > 0) {
                warnings.accept("radapter: " + file + ": " + without + " images have no caption and are left out");
            }
            if (skipped > 0) {
                warnings.accept("radapter: " + file + ": skipped " + skipped + " bad entries");
            }
            return new CaptionDataset(entries, without);
        }

        private int bad(Path file, String reason) {
            if (onBadEntry == ErrorPolicy.FAIL) {
                throw new DatasetException(file, 0, reason);
            }
            warnings.accept("radapter: skipped " + file + ": " + reason);
            return 1;
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> object(Object v, String where) throws BadEntry {
            if (v instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
            throw new BadEntry(where + ": expected an object");
        }

        private static String string(Map<String, Object> m, String key, String where) throws BadEntry {
            if (m.get(key) instanceof String s) {
                return s;
            }
            throw new BadEntry(where + ": '" + key + "' must be a string" + (m.containsKey(key) ? "" : " (missing)"));
        }

        private static long number(Map<String, Object> m, String key, String where) throws BadEntry {
            if (m.get(key) instanceof Long l) {
                return l;
            }
            throw new BadEntry(where + ": '" + key + "' must be an integer" + (m.containsKey(key) ? "" : " (missing)"));
        }

        @SuppressWarnings("unchecked")
        private static List<Object> list(Map<String, Object> m, String key, Path file, String where) {
            if (m.get(key) instanceof List<?> l) {
                return (List<Object>) l;
            }
            throw new DatasetException(file, 0, where + ": '" + key + "' must be an array" + (m.containsKey(key) ? "" : " (missing)"));
        }
    }
}
