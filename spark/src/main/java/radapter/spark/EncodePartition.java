package radapter.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.ImageSource;
import radapter.data.dataset.Sample;
import radapter.data.image.ImageDecoder;
import radapter.data.image.RgbImage;
import radapter.data.loader.Batch;
import radapter.data.loader.DataLoader;
import radapter.data.transforms.ClipPreprocess;
import radapter.models.clip.Clip;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/**
 * Encodes one partition of images on an executor: the partition's rows become a {@link Dataset},
 * the library's {@link DataLoader} decodes and preprocesses them in batches on the executor's
 * cores, and the JVM's shared model ({@link ExecutorModels}) encodes each batch. Output rows are
 * {@link EmbeddingSchema#SCHEMA}, produced lazily batch by batch, so a partition never holds more
 * than the loader's prefetch in memory (apart from its list of paths).
 *
 * <p>The driver cuts partitions at batch boundaries ({@link ImageTable}), so with the same batch
 * size every batch here is a batch of the single-process loader, and the features are the same.
 * Unreadable images are skipped as the loader does (one warning line each) and counted in
 * {@code skipped}.
 */
public final class EncodePartition implements FlatMapFunction<Iterator<ImageRow>, Row> {
    private static final long serialVersionUID = 1L;

    private final ModelSpec model;
    private final int batchSize;
    private final int workers;
    private final boolean normalize;
    private final LongAccumulator skipped;

    /**
     * @param workers   loader threads per task ({@code -1}: the executor's cores)
     * @param normalize write L2-normalised features
     * @param skipped   counts the images that could not be read
     */
    public EncodePartition(ModelSpec model, int batchSize, int workers, boolean normalize, LongAccumulator skipped) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        this.model = model;
        this.batchSize = batchSize;
        this.workers = workers;
        this.normalize = normalize;
        this.skipped = skipped;
    }

    @Override
    public Iterator<Row> call(Iterator<ImageRow> rows) {
        List<ImageRow> part = new ArrayList<>();
        rows.forEachRemaining(part::add);
        if (part.isEmpty()) {
            return java.util.Collections.emptyIterator();
        }
        Clip clip = ExecutorModels.get(model).clip();
        DataLoader.Builder b = DataLoader.builder(new PartitionDataset(part)).images(ImageDecoder::decode)
                .preprocess(ClipPreprocess.eval(clip.config().vision().imageSize())).batchSize(batchSize);
        if (workers >= 0) {
            b.workers(workers);
        }
        DataLoader loader = b.build();
        DataLoader.Epoch epoch = loader.epoch(0);
        TaskContext ctx = TaskContext.get();
        if (ctx != null) {
            // A task that fails or is cancelled half way still stops the loader's threads.
            ctx.addTaskCompletionListener(c -> {
                epoch.close();
                loader.close();
            });
        }
        return new Iterator<>() {
            private final List<Row> ready = new ArrayList<>();
            private int next;
            private boolean done;

            @Override
            public boolean hasNext() {
                while (next == ready.size() && !done) {
                    ready.clear();
                    next = 0;
                    if (epoch.hasNext()) {
                        encode(epoch.next());
                    } else {
                        done = true;
                        skipped.add(loader.skippedCount());
                        epoch.close();
                        loader.close();
                    }
                }
                return next < ready.size();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.get(next++);
            }

            private void encode(Batch batch) {
                float[] f;
                int dim;
                try (MemoryScope s = MemoryScope.open()) {
                    Tensor out = clip.encodeImage(batch.images());
                    if (normalize) {
                        out = Clip.normalize(out);
                    }
                    dim = Math.toIntExact(out.size(1));
                    f = out.contiguous().toFloatArray();
                }
                for (int i = 0; i < batch.size(); i++) {
                    ImageRow r = part.get(batch.indices()[i]);
                    float[] row = new float[dim];
                    System.arraycopy(f, i * dim, row, 0, dim);
                    ready.add(RowFactory.create(r.index(), r.path(), r.label(), row));
                }
            }
        };
    }

    /** A partition's rows as a dataset, renumbered from 0; rows with bytes decode them instead of reading a file. */
    static final class PartitionDataset implements Dataset {
        private final List<ImageRow> rows;

        PartitionDataset(List<ImageRow> rows) {
            this.rows = rows;
        }

        @Override
        public int size() {
            return rows.size();
        }

        @Override
        public Sample get(int index) {
            ImageRow r = rows.get(index);
            return new Sample(index, Path.of(r.path()), r.label(), null);
        }

        @Override
        public RgbImage image(int index, ImageSource source) throws Exception {
            ImageRow r = rows.get(index);
            return r.content() != null ? ImageDecoder.decode(r.content(), r.path()) : source.read(Path.of(r.path()));
        }
    }
}
