package radapter.data.loader;

import java.io.FileNotFoundException;
import java.lang.foreign.MemorySegment;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.ErrorPolicy;
import radapter.data.dataset.ImageSource;
import radapter.data.dataset.Sample;
import radapter.data.image.RgbImage;
import radapter.data.transforms.ClipPreprocess;
import radapter.tensor.DType;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * Batches of decoded, transformed images from a {@link Dataset}, prepared on worker threads.
 *
 * <pre>{@code
 * try (DataLoader loader = DataLoader.builder(dataset)
 *         .images(ImageDecoder::decode).preprocess(ClipPreprocess.eval(224))
 *         .batchSize(64).shuffle(true).seed(42).build()) {
 *     for (int epoch = 0; epoch < epochs; epoch++) {
 *         try (DataLoader.Epoch batches = loader.epoch(epoch)) {
 *             for (Batch b : batches) { ... }
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p><b>Order.</b> Epoch {@code e} visits the dataset in the permutation drawn by
 * {@code new Rng(seed).fork(e)} (or in index order without shuffling) and cuts it into batches of
 * {@code batchSize}; with {@code dropLast} a short final batch is left out. Each sample's transform
 * and captioner get a generator derived from (seed, epoch, sample index). Batch contents and order
 * are therefore a function of the seed and the epoch only, whatever the number of workers.
 *
 * <p><b>Parallelism.</b> Each sample is decoded and transformed as one task on a pool of
 * {@code workers} threads (default: the number of cores; 0 runs everything on the consumer's
 * thread). At most {@code prefetch} batches are being prepared or waiting ahead of the one the
 * consumer waits for, which bounds memory. The worker that finishes a batch's last sample
 * assembles the batch tensor, outside any {@link MemoryScope}, so batches are GC-owned. With
 * {@link Builder#preprocess} there is nothing to assemble: each worker writes its sample straight
 * into its slot of the batch tensor.
 *
 * <p><b>Errors.</b> When a sample cannot be read or transformed: with {@link ErrorPolicy#SKIP} (the
 * default) it is left out of its batch, so <em>that batch is smaller</em> (batches are not refilled
 * from later samples, which keeps every other batch identical to an error-free run); one line
 * {@code radapter: skipped <path>: <reason>} goes to the warning sink and {@link #skippedCount()}
 * grows. A batch whose samples all failed is not returned. An epoch is never cut short in this mode.
 * With {@link ErrorPolicy#FAIL} the iterator throws a {@link DataLoadException} naming the sample
 * and the reason, and the epoch ends. Errors (out of memory...) are never skipped.
 *
 * <p><b>Lifecycle.</b> {@link #close()} cancels open epochs, stops the worker threads and waits for
 * them to end. An {@link Epoch} is consumed by one thread; close it to cancel the remaining work
 * early. Iterating the loader itself ({@code for (Batch b : loader)}) runs the next epoch.
 */
public final class DataLoader implements Iterable<Batch>, AutoCloseable {
    private static final AtomicInteger LOADER_IDS = new AtomicInteger();

    private final Dataset dataset;
    private final ImageSource source;
    private final SampleTransform transform;
    /** Set when the transform is CLIP preprocessing written straight into the batch. */
    private final ClipPreprocess preprocess;
    private final Captioner captioner;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final int workers;
    private final int prefetch;
    private final ErrorPolicy onError;
    private final Consumer<String> warnings;
    private final ProgressListener progress;
    private final String threadPrefix;

    private final ThreadPoolExecutor pool;
    private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
    private final Set<Epoch> openEpochs = ConcurrentHashMap.newKeySet();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicInteger nextEpoch = new AtomicInteger();
    private volatile boolean closed;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.source = b.source;
        this.transform = b.transform;
        this.preprocess = b.preprocess;
        this.captioner = b.captioner;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.workers = b.workers;
        this.prefetch = b.prefetch > 0 ? b.prefetch : Math.max(2, (2 * workers + batchSize - 1) / batchSize);
        this.onError = b.onError;
        this.warnings = b.warnings;
        this.progress = b.progress;
        this.threadPrefix = "radapter-loader-" + LOADER_IDS.incrementAndGet() + "-";
        if (workers > 0) {
            AtomicInteger n = new AtomicInteger();
            this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, threadPrefix + n.incrementAndGet());
                t.setDaemon(true);
                threads.add(t);
                return t;
            });
        } else {
            this.pool = null;
        }
    }

    /** Options for loading {@code dataset}. */
    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** The dataset loaded. */
    public Dataset dataset() {
        return dataset;
    }

    /** Batches per epoch (some may come out smaller, or not at all, when images are skipped). */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** Samples skipped over the loader's life, all epochs together. */
    public long skippedCount() {
        return skipped.get();
    }

    /** The number of worker threads (0: the consumer's thread does the work). */
    public int workers() {
        return workers;
    }

    /** Name prefix of this loader's worker threads (for leak checks). */
    String threadPrefix() {
        return threadPrefix;
    }

    /** The sample order of epoch {@code epoch}: a permutation of the dataset indices. */
    public int[] order(int epoch) {
        int n = dataset.size();
        if (!shuffle) {
            int[] p = new int[n];
            Arrays.setAll(p, i -> i);
            return p;
        }
        return new Rng(seed).fork(epoch).permutation(n);
    }

    /** Starts epoch {@code epoch}: its batches, in order. */
    public Epoch epoch(int epoch) {
        if (closed) {
            throw new IllegalStateException("the data loader is closed");
        }
        nextEpoch.set(epoch + 1);
        return new Epoch(epoch);
    }

    /** The next epoch (0 first, then one more than the last started). */
    @Override
    public Iterator<Batch> iterator() {
        return epoch(nextEpoch.get());
    }

    /** Cancels open epochs and stops the worker threads, waiting for them to end. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Epoch e : openEpochs) {
            e.cancel("the data loader was closed");
        }
        if (pool != null) {
            pool.shutdownNow();
            try {
                if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                    warnings.accept("radapter: data loader workers still busy 30 s after close");
                }
                List<Thread> ts;
                synchronized (threads) {
                    ts = List.copyOf(threads);
                }
                for (Thread t : ts) {
                    t.join(TimeUnit.SECONDS.toMillis(5));
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The reason in one line: "file not found" for a missing file, else the exception's message,
     * without a leading "... {@code <path>}: " that would repeat the path the warning already names.
     */
    static String reason(Throwable e, String path) {
        if (e instanceof NoSuchFileException || e instanceof FileNotFoundException) {
            return "file not found";
        }
        String m = e.getMessage();
        String r = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
        int at = path == null || path.isEmpty() ? -1 : r.indexOf(path);
        if (at >= 0) {
            int colon = r.indexOf(": ", at + path.length());
            if (colon >= 0 && colon <= at + path.length() + 1 && colon + 2 < r.length()) {
                r = r.substring(colon + 2);
            }
        }
        return r.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    /** One batch being prepared. */
    private final class Pending {
        final int number;
        final int[] indices;
        final Tensor[] images;
        final String[] captions;
        final Throwable[] failures;
        final AtomicInteger remaining;
        final CompletableFuture<Batch> result = new CompletableFuture<>();
        /** With {@link #preprocess}: the batch tensor the workers write their samples into. */
        final Tensor direct;

        Pending(int number, int[] indices) {
            this.number = number;
            this.indices = indices;
            this.images = new Tensor[indices.length];
            this.captions = new String[indices.length];
            this.failures = new Throwable[indices.length];
            this.remaining = new AtomicInteger(indices.length);
            int n = preprocess == null ? 0 : preprocess.size();
            // Outside any scope: batches are GC-owned, whichever thread asks for them.
            this.direct = preprocess == null ? null
                    : MemoryScope.outsideScopes(() -> Tensor.empty(DType.F32, indices.length, 3, n, n));
        }
    }

    /**
     * The batches of one epoch, in order. Single consumer. Iterable once (it is its own iterator),
     * so it fits a for-each loop. Close it to cancel what is left.
     */
    public final class Epoch implements Iterator<Batch>, Iterable<Batch>, AutoCloseable {
        private final int epoch;
        private final int[] order;
        private final long sampleSeed;
        private final int total;
        private final ConcurrentLinkedDeque<Pending> inFlight = new ConcurrentLinkedDeque<>();
        private final AtomicLong epochSkipped = new AtomicLong();
        private int submitted;
        private int done;
        private Batch ready;
        private volatile String cancelled;
        private boolean finished;

        private Epoch(int epoch) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.sampleSeed = new Rng(~seed).fork(epoch).nextLong();
            this.total = batchesPerEpoch();
            openEpochs.add(this);
            if (closed) {
                cancel("the data loader was closed");
            }
        }

        /** This epoch's number. */
        public int number() {
            return epoch;
        }

        /** Batches in this epoch. */
        public int total() {
            return total;
        }

        /** Samples skipped in this epoch so far. */
        public long skipped() {
            return epochSkipped.get();
        }

        @Override
        public Iterator<Batch> iterator() {
            return this;
        }

        @Override
        public boolean hasNext() {
            if (ready != null) {
                return true;
            }
            while (!finished && done < total) {
                checkCancelled();
                topUp();
                Pending p = inFlight.poll();
                topUp();
                Batch b = await(p);
                done++;
                if (progress != null) {
                    progress.onProgress(done, total);
                }
                if (b != null) {
                    ready = b;
                    return true;
                }
            }
            finish();
            return false;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + epoch + " has no more batches");
            }
            Batch b = ready;
            ready = null;
            return b;
        }

        /** Cancels the remaining work of this epoch; later calls find no more batches. */
        @Override
        public void close() {
            cancel("the epoch was closed");
            ready = null;
            finish();
        }

        private void finish() {
            finished = true;
            openEpochs.remove(this);
        }

        private void checkCancelled() {
            String why = cancelled;
            if (why != null) {
                finish();
                throw new DataLoadException("radapter: epoch " + epoch + " stopped: " + why);
            }
        }

        void cancel(String why) {
            if (cancelled == null) {
                cancelled = why;
            }
            for (Pending p : inFlight) {
                p.result.completeExceptionally(new CancellationException(why));
            }
        }

        private void topUp() {
            while (inFlight.size() < prefetch && submitted < total && cancelled == null) {
                int from = submitted * batchSize;
                int to = Math.min(from + batchSize, order.length);
                Pending p = new Pending(submitted++, Arrays.copyOfRange(order, from, to));
                inFlight.add(p);
                for (int slot = 0; slot < p.indices.length; slot++) {
                    int s = slot;
                    try {
                        executor().execute(() -> load(p, s));
                    } catch (RejectedExecutionException e) {
                        cancel("the data loader was closed");
                        checkCancelled();
                    }
                }
            }
        }

        private Executor executor() {
            return pool != null ? pool : Runnable::run;
        }

        private Batch await(Pending p) {
            Batch b;
            try {
                b = p.result.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel("interrupted");
                finish();
                throw new DataLoadException("radapter: interrupted while waiting for batch " + p.number + " of epoch " + epoch, e);
            } catch (CancellationException e) {
                finish();
                throw new DataLoadException("radapter: epoch " + epoch + " stopped: " + e.getMessage(), e);
            } catch (ExecutionException e) {
                cancel("an earlier batch failed");
                finish();
                Throwable c = e.getCause();
                if (c instanceof CancellationException) {
                    throw new DataLoadException("radapter: epoch " + epoch + " stopped: " + c.getMessage(), c);
                }
                if (c instanceof Error err) {
                    throw err;
                }
                throw new DataLoadException(c.getMessage(), c);
            }
            // Report skips here, on the consumer's thread and in batch order, so the log is deterministic.
            for (int i = 0; i < p.failures.length; i++) {
                if (p.failures[i] != null) {
                    epochSkipped.incrementAndGet();
                    skipped.incrementAndGet();
                    String what = describe(p.indices[i]);
                    warnings.accept("radapter: skipped " + what + ": " + reason(p.failures[i], what));
                }
            }
            return b;
        }

        private String describe(int index) {
            try {
                return dataset.get(index).describe();
            } catch (RuntimeException e) {
                return "sample #" + index;
            }
        }

        /** Worker task: decode, transform and caption one sample; the last one assembles the batch. */
        private void load(Pending p, int slot) {
            if (cancelled == null && !p.result.isDone()) {
                int index = p.indices[slot];
                try {
                    MemoryScope.outsideScopes(() -> {
                        loadSample(p, slot, index);
                        return null;
                    });
                } catch (LoadFailure f) {
                    p.failures[slot] = f.getCause();
                } catch (RuntimeException e) {
                    p.failures[slot] = e;
                } catch (Error e) {
                    p.result.completeExceptionally(e);
                }
            }
            if (p.remaining.decrementAndGet() == 0) {
                try {
                    MemoryScope.outsideScopes(() -> {
                        assemble(p);
                        return null;
                    });
                } catch (Throwable t) {
                    p.result.completeExceptionally(t);
                }
            }
        }

        private void loadSample(Pending p, int slot, int index) {
            Rng rng = new Rng(sampleSeed).fork(index);
            Rng transformRng = rng.fork(0);
            Rng captionRng = rng.fork(1);
            try {
                Sample sample = dataset.get(index);
                RgbImage image = dataset.image(index, source);
                if (p.direct != null) {
                    // Each worker fills its own slot; the countdown in load() publishes the writes
                    // to the thread that completes the batch.
                    long per = 3L * preprocess.size() * preprocess.size();
                    preprocess.applyInto(image, transformRng, p.direct.segment(), p.direct.offset() + slot * per);
                    p.captions[slot] = captioner.caption(sample, captionRng);
                    return;
                }
                Tensor t = transform.apply(image, transformRng);
                if (t == null || t.dim() != 3) {
                    throw new IllegalStateException("the transform must return a [C, H, W] tensor, got "
                            + (t == null ? "null" : Arrays.toString(t.shape())));
                }
                p.images[slot] = t;
                p.captions[slot] = captioner.caption(sample, captionRng);
            } catch (Exception e) {
                throw new LoadFailure(e);
            }
        }

        private void assemble(Pending p) {
            if (p.result.isDone()) {
                return;
            }
            if (cancelled != null) {
                p.result.completeExceptionally(new CancellationException(cancelled));
                return;
            }
            int n = 0;
            int first = -1;
            for (int i = 0; i < p.indices.length; i++) {
                if (p.failures[i] == null) {
                    n++;
                    if (first < 0) {
                        first = i;
                    }
                } else if (onError == ErrorPolicy.FAIL) {
                    int index = p.indices[i];
                    String what = describe(index);
                    p.result.completeExceptionally(new DataLoadException("radapter: cannot load " + what + " (sample " + index
                            + "): " + reason(p.failures[i], what) + " (onError(SKIP) skips unreadable images)", p.failures[i]));
                    return;
                }
            }
            if (n == 0) {
                p.result.complete(null);
                return;
            }
            if (p.direct != null) {
                assembleDirect(p, n);
                return;
            }
            long[] shape = p.images[first].shape();
            long per = p.images[first].numel();
            int[] labels = new int[n];
            String[] captions = new String[n];
            int[] indices = new int[n];
            Tensor out = Tensor.empty(DType.F32, n, shape[0], shape[1], shape[2]);
            MemorySegment dst = out.segment();
            int at = 0;
            for (int i = 0; i < p.indices.length; i++) {
                if (p.failures[i] != null) {
                    continue;
                }
                Tensor t = p.images[i];
                if (!Arrays.equals(t.shape(), shape)) {
                    throw new DataLoadException("radapter: the transform gave " + Arrays.toString(t.shape()) + " for " + describe(p.indices[i])
                            + " but " + Arrays.toString(shape) + " for " + describe(p.indices[first])
                            + "; a batch needs equal shapes (resize or crop in the transform)");
                }
                Tensor src = t.dtype() == DType.F32 ? t.contiguous() : t.to(DType.F32).contiguous();
                MemorySegment.copy(src.segment(), src.offset() * Float.BYTES, dst, at * per * Float.BYTES, per * Float.BYTES);
                labels[at] = dataset.get(p.indices[i]).label();
                captions[at] = p.captions[i];
                indices[at] = p.indices[i];
                p.images[i] = null;
                at++;
            }
            p.result.complete(new Batch(out, labels, captions, indices));
        }

        /** The batch of {@link #preprocess} samples, already in place; compacted over skipped ones. */
        private void assembleDirect(Pending p, int n) {
            Tensor out = p.direct;
            long per = 3L * preprocess.size() * preprocess.size();
            if (n < p.indices.length) {
                int size = preprocess.size();
                out = Tensor.empty(DType.F32, n, 3, size, size);
            }
            int[] labels = new int[n];
            String[] captions = new String[n];
            int[] indices = new int[n];
            int at = 0;
            for (int i = 0; i < p.indices.length; i++) {
                if (p.failures[i] != null) {
                    continue;
                }
                if (out != p.direct) {
                    MemorySegment.copy(p.direct.segment(), (p.direct.offset() + i * per) * Float.BYTES, out.segment(),
                            at * per * Float.BYTES, per * Float.BYTES);
                }
                labels[at] = dataset.get(p.indices[i]).label();
                captions[at] = p.captions[i];
                indices[at] = p.indices[i];
                at++;
            }
            p.result.complete(new Batch(out, labels, captions, indices));
        }
    }

    /** Carries a sample's checked failure out of {@link MemoryScope#outsideScopes}. */
    private static final class LoadFailure extends RuntimeException {
        LoadFailure(Exception cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** Options for {@link DataLoader}. */
    public static final class Builder {
        private final Dataset dataset;
        private ImageSource source = ImageSource.none();
        private SampleTransform transform;
        private ClipPreprocess preprocess;
        private Captioner captioner = (s, r) -> s.caption();
        private int batchSize = 32;
        private boolean shuffle = true;
        private long seed;
        private boolean dropLast;
        private int workers = Runtime.getRuntime().availableProcessors();
        private int prefetch;
        private ErrorPolicy onError = ErrorPolicy.SKIP;
        private Consumer<String> warnings = line -> System.getLogger(DataLoader.class.getName()).log(System.Logger.Level.WARNING, line);
        private ProgressListener progress;

        private Builder(Dataset dataset) {
            this.dataset = Objects.requireNonNull(dataset);
        }

        /** The decoder for file-backed datasets (e.g. {@code ImageDecoder}'s decode method). */
        public Builder images(ImageSource decoder) {
            this.source = Objects.requireNonNull(decoder);
            return this;
        }

        /** Image to {@code [C, H, W]} F32 tensor, all images the same size (required). */
        public Builder transform(Function<RgbImage, Tensor> f) {
            Objects.requireNonNull(f);
            this.transform = (image, rng) -> f.apply(image);
            this.preprocess = null;
            return this;
        }

        /** As {@link #transform(Function)}, for augmentations: draws come from a per-sample generator. */
        public Builder randomTransform(SampleTransform f) {
            this.transform = Objects.requireNonNull(f);
            this.preprocess = null;
            return this;
        }

        /**
         * CLIP preprocessing as the transform (random pipelines draw from the per-sample generator):
         * the batches of {@code randomTransform(pre::apply)}, bit for bit, but each worker writes
         * its sample straight into the batch tensor, with no tensor per image and no copy.
         */
        public Builder preprocess(ClipPreprocess pre) {
            Objects.requireNonNull(pre);
            this.transform = pre::apply;
            this.preprocess = pre;
            return this;
        }

        /** The text of each sample (default: {@link Sample#caption()}). */
        public Builder captions(Captioner c) {
            this.captioner = Objects.requireNonNull(c);
            return this;
        }

        /** Samples per batch (default 32). */
        public Builder batchSize(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + n);
            }
            this.batchSize = n;
            return this;
        }

        /** Reshuffle every epoch (default true); false keeps index order. */
        public Builder shuffle(boolean on) {
            this.shuffle = on;
            return this;
        }

        /** Base seed of the shuffles and per-sample generators (default 0). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Leave out a short last batch (default false). */
        public Builder dropLast(boolean on) {
            this.dropLast = on;
            return this;
        }

        /** Worker threads (default: available processors; 0: work on the consumer's thread). */
        public Builder workers(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("workers must be non-negative, got " + n);
            }
            this.workers = n;
            return this;
        }

        /** Batches prepared ahead (default: enough to keep the workers busy, at least 2). */
        public Builder prefetch(int batches) {
            if (batches <= 0) {
                throw new IllegalArgumentException("prefetch must be positive, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        /** Skip unreadable images (default) or fail the epoch. */
        public Builder onError(ErrorPolicy policy) {
            this.onError = Objects.requireNonNull(policy);
            return this;
        }

        /** Where skip warnings go, one line each (default: a {@link System.Logger} warning). */
        public Builder warnings(Consumer<String> sink) {
            this.warnings = Objects.requireNonNull(sink);
            return this;
        }

        /** Told after every batch, on the consumer's thread. */
        public Builder progress(ProgressListener listener) {
            this.progress = listener;
            return this;
        }

        /** The loader; its worker threads start with the first epoch. */
        public DataLoader build() {
            if (transform == null) {
                throw new IllegalStateException("a transform (image to [C, H, W] tensor) is required");
            }
            return new DataLoader(this);
        }
    }
}
