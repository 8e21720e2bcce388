package radapter.models.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import radapter.tensor.io.Json;

/**
 * Fetches files of model repositories from the Hugging Face hub into the shared hub cache
 * ({@link HubCache}), as {@code huggingface_hub}'s {@code hf_hub_download} and
 * {@code snapshot_download} do:
 *
 * <ul>
 *   <li>a revision (branch, tag or commit) is first resolved to a commit, so every file of one
 *       snapshot comes from the same commit;</li>
 *   <li>a file already in the snapshot is not requested again; a blob shared with another
 *       snapshot is linked, not downloaded;</li>
 *   <li>a download goes to {@code blobs/<etag>.incomplete} and resumes from there with an HTTP
 *       range, both after a dropped connection (retried here) and in a later run;</li>
 *   <li>the complete file is checked against the ETag the hub announced (the SHA-256 of an LFS
 *       file, or the git blob SHA-1 of a small one) and only then renamed into
 *       {@code blobs/} and linked into the snapshot; a mismatch deletes it;</li>
 *   <li>offline ({@code HF_HUB_OFFLINE}) or when the hub cannot be reached, the cached snapshot
 *       of the revision is used, and a missing one is a clear error.</li>
 * </ul>
 *
 * The token is sent to the endpoint only, never to the storage host a large file redirects to.
 */
public final class Hub {
    private static final System.Logger LOG = System.getLogger(Hub.class.getName());
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int MAX_REDIRECTS = 10;
    private static final String USER_AGENT = "radapter/0.1.0; java/" + Runtime.version().feature();
    /** Consecutive attempts that add no byte before a download gives up. */
    private static final int MAX_STALLED_ATTEMPTS = 5;

    private final HubSettings settings;
    private final HubCache cache;
    private final DownloadListener listener;
    private final HttpClient http;

    /** A hub client with {@code settings} and no listener. */
    public Hub(HubSettings settings) {
        this(settings, DownloadListener.NONE);
    }

    private Hub(HubSettings settings, DownloadListener listener) {
        this.settings = settings;
        this.cache = new HubCache(settings.cacheDir());
        this.listener = listener;
        // Redirects are followed by hand: the token must not travel to another host.
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.timeout()).build();
    }

    /** A hub client configured from the environment ({@link HubSettings#fromEnvironment()}). */
    public static Hub fromEnvironment() {
        return new Hub(HubSettings.fromEnvironment());
    }

    /** This client, reporting downloads to {@code l}. */
    public Hub withListener(DownloadListener l) {
        return new Hub(settings, l == null ? DownloadListener.NONE : l);
    }

    /** The settings in use. */
    public HubSettings settings() {
        return settings;
    }

    /** The cache files go to. */
    public HubCache cache() {
        return cache;
    }

    /** Whether {@code text} is spelled like a hub repository id ({@code org/name}). */
    public static boolean isRepoId(String text) {
        return REPO_ID.matcher(text).matches() && !text.contains("..") && !text.endsWith(".");
    }

    /** A repository revision: the commit it resolved to and every file in it. */
    public record RepoFiles(String repoId, String commit, List<String> files) {
        public RepoFiles {
            files = List.copyOf(files);
        }
    }

    /** Lists the files of {@code repoId} at {@code revision} ({@code GET /api/models/...}). */
    public RepoFiles listFiles(String repoId, String revision) throws IOException {
        checkRepoId(repoId);
        requireOnline(repoId);
        String path = "/api/models/" + repoId + ("main".equals(revision) ? "" : "/revision/" + encode(revision));
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(settings.endpoint().resolve(settings.endpoint().getPath() + path)).GET(),
                HttpResponse.BodyHandlers.ofByteArray(), repoId, null, revision);
        Map<String, Object> info;
        try {
            info = Json.parseObject(new String(r.body(), StandardCharsets.UTF_8));
        } catch (Json.JsonException e) {
            throw new HubException(repoId + ": the hub's file listing is not valid JSON (" + e.getMessage() + ")");
        }
        if (!(info.get("sha") instanceof String sha) || !HubCache.isCommit(sha) || !(info.get("siblings") instanceof List<?> siblings)) {
            throw new HubException(repoId + ": the hub's file listing lacks the commit (sha) or the files (siblings)");
        }
        List<String> files = new ArrayList<>();
        for (Object s : siblings) {
            if (s instanceof Map<?, ?> m && m.get("rfilename") instanceof String f) {
                files.add(f);
            }
        }
        return new RepoFiles(repoId, sha, files);
    }

    /**
     * Makes the files {@code select} picks from the listing of {@code repoId} at {@code revision}
     * present in the cache and returns the snapshot folder. Offline, or when the hub cannot be
     * reached, the cached snapshot of {@code revision} is used, with {@code select} applied to
     * the files it holds; every picked file must then be there.
     *
     * @param select from all file names of the revision, those to fetch
     */
    public Path snapshot(String repoId, String revision, UnaryOperator<List<String>> select) throws IOException {
        checkRepoId(repoId);
        RepoFiles listing;
        if (settings.offline()) {
            return cachedSnapshot(repoId, revision, select, "HF_HUB_OFFLINE is set");
        }
        try {
            listing = listFiles(repoId, revision);
        } catch (Unreachable e) {
            Optional<String> commit = cache.commitOf(repoId, revision);
            if (commit.isEmpty()) {
                throw new HubException("cannot reach " + settings.endpoint() + " (" + e.getMessage() + ") and " + repoId + "@" + revision
                        + " is not in the cache " + cache.root() + "; check the network or HF_ENDPOINT");
            }
            LOG.log(Level.WARNING, "cannot reach {0} ({1}); using the cached snapshot of {2}", settings.endpoint(), e.getMessage(), repoId);
            return cachedSnapshot(repoId, revision, select, "the hub is unreachable");
        }
        List<String> wanted = select.apply(listing.files());
        for (String f : wanted) {
            fetch(repoId, listing.commit(), f);
        }
        cache.writeRef(repoId, revision, listing.commit());
        return cache.snapshot(repoId, listing.commit());
    }

    /** The cached snapshot of {@code revision} holding every file {@code select} picks, or an error saying what is missing. */
    private Path cachedSnapshot(String repoId, String revision, UnaryOperator<List<String>> select, String why) throws IOException {
        Optional<String> commit = cache.commitOf(repoId, revision);
        if (commit.isEmpty()) {
            throw new HubException(why + " and " + repoId + "@" + revision + " is not in the cache " + cache.root()
                    + "; run once online (radapter download " + repoId + ") or set HF_HUB_CACHE");
        }
        Path snap = cache.snapshot(repoId, commit.get());
        List<String> present = new ArrayList<>();
        try (Stream<Path> s = Files.walk(snap)) {
            s.filter(Files::isRegularFile).forEach(p -> present.add(snap.relativize(p).toString().replace('\\', '/')));
        }
        List<String> wanted = select.apply(present);
        List<String> missing = wanted.stream().filter(f -> !Files.isRegularFile(snap.resolve(f))).toList();
        if (!missing.isEmpty()) {
            throw new HubException(why + " and the cached " + repoId + "@" + revision + " lacks " + missing + " (in " + snap + ")");
        }
        return snap;
    }

    /**
     * Makes one file present (like {@code hf_hub_download}) and returns its path in the snapshot.
     * Offline, the cached file of {@code revision} is returned or a clear error raised.
     */
    public Path download(String repoId, String revision, String filename) throws IOException {
        checkRepoId(repoId);
        if (settings.offline()) {
            return cachedSnapshot(repoId, revision, all -> List.of(filename), "HF_HUB_OFFLINE is set").resolve(filename);
        }
        FileMeta meta;
        try {
            meta = head(repoId, revision, filename);
        } catch (Unreachable e) {
            Optional<String> commit = cache.commitOf(repoId, revision);
            if (commit.isPresent() && Files.isRegularFile(cache.snapshot(repoId, commit.get()).resolve(filename))) {
                LOG.log(Level.WARNING, "cannot reach {0} ({1}); using the cached {2}/{3}", settings.endpoint(), e.getMessage(), repoId, filename);
                return cache.snapshot(repoId, commit.get()).resolve(filename);
            }
            throw new HubException("cannot reach " + settings.endpoint() + " (" + e.getMessage() + ") and " + repoId + "/" + filename
                    + " is not in the cache " + cache.root());
        }
        Path p = fetch(repoId, meta, filename);
        cache.writeRef(repoId, revision, meta.commit());
        return p;
    }

    // ---------------------------------------------------------------- one file

    /** What a HEAD on a file says: the commit, the checksum, the size and where to GET it. */
    record FileMeta(String commit, String etag, long size, URI location) {
    }

    private Path fetch(String repoId, String commit, String filename) throws IOException {
        Path inSnapshot = cache.snapshot(repoId, commit).resolve(filename);
        if (Files.isRegularFile(inSnapshot)) {
            return inSnapshot;
        }
        return fetch(repoId, head(repoId, commit, filename), filename);
    }

    private Path fetch(String repoId, FileMeta meta, String filename) throws IOException {
        Path inSnapshot = cache.snapshot(repoId, meta.commit()).resolve(filename);
        if (Files.isRegularFile(inSnapshot)) {
            return inSnapshot;
        }
        Path blob = cache.blob(repoId, meta.etag());
        if (!Files.isRegularFile(blob)) {
            Path lockFile = cache.lock(repoId, meta.etag());
            Files.createDirectories(lockFile.getParent());
            Files.createDirectories(blob.getParent());
            // Another process fetching the same blob waits here, then finds it complete.
            try (FileChannel lc = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = lc.lock()) {
                if (!Files.isRegularFile(blob)) {
                    downloadBlob(repoId, filename, meta, blob);
                }
            }
        }
        return cache.link(repoId, meta.commit(), filename, meta.etag());
    }

    /** HEAD {@code /{repo}/resolve/{revision}/{file}}, following same-host redirects (renamed repositories). */
    FileMeta head(String repoId, String revision, String filename) throws IOException {
        requireOnline(repoId);
        URI uri = resolveUri(repoId, revision, filename);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Void> r = send(HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept-Encoding", "identity"), HttpResponse.BodyHandlers.discarding(), repoId, filename, revision);
            var h = r.headers();
            Optional<String> location = h.firstValue("Location");
            boolean redirect = r.statusCode() / 100 == 3 && location.isPresent();
            URI next = redirect ? uri.resolve(location.get()) : null;
            if (redirect && sameHost(next, settings.endpoint()) && h.firstValue("X-Linked-Etag").isEmpty()) {
                uri = next; // a renamed repository: ask again where it moved
                continue;
            }
            String commit = h.firstValue("X-Repo-Commit").orElse(null);
            String etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).map(Hub::normalizeEtag).orElse(null);
            long size = h.firstValueAsLong("X-Linked-Size").orElse(h.firstValueAsLong("Content-Length").orElse(-1));
            if (commit == null || !HubCache.isCommit(commit)) {
                throw new HubException(repoId + "/" + filename + ": the hub did not send the commit (X-Repo-Commit); is HF_ENDPOINT "
                        + settings.endpoint() + " a Hugging Face hub?");
            }
            if (etag == null || etag.isEmpty() || etag.contains("/") || etag.contains("..")) {
                throw new HubException(repoId + "/" + filename + ": the hub sent no usable ETag, so the file cannot be verified");
            }
            return new FileMeta(commit, etag, size, redirect ? next : uri);
        }
        throw new HubException(repoId + "/" + filename + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private void downloadBlob(String repoId, String filename, FileMeta meta, Path blob) throws IOException {
        Path partial = blob.resolveSibling(blob.getFileName() + ".incomplete");
        long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
        if (meta.size() >= 0 && have > meta.size()) {
            Files.delete(partial); // longer than the file: not a prefix of it
            have = 0;
        }
        listener.started(filename, meta.size(), have);
        if (have > 0) {
            LOG.log(Level.INFO, "resuming {0}/{1} at byte {2}", repoId, filename, have);
        }
        int stalled = 0;
        while (true) {
            long before = Files.exists(partial) ? Files.size(partial) : -1;
            if (meta.size() >= 0 && before == meta.size()) {
                break; // complete (also an interrupted run that had finished the bytes)
            }
            IOException failure = null;
            try {
                if (getInto(repoId, filename, meta, partial, Math.max(before, 0))) {
                    break;
                }
            } catch (HubException e) {
                throw e;
            } catch (IOException e) {
                failure = e; // a dropped connection: resume from what arrived
            }
            long after = Files.exists(partial) ? Files.size(partial) : -1;
            if (failure == null && meta.size() >= 0 && after >= meta.size()) {
                break;
            }
            stalled = after > before ? 0 : stalled + 1;
            if (stalled >= MAX_STALLED_ATTEMPTS) {
                throw new HubException(repoId + "/" + filename + ": download failed " + MAX_STALLED_ATTEMPTS + " times at byte "
                        + Math.max(after, 0) + " (" + (failure == null ? "no data" : failure.getMessage()) + "); run again to resume",
                        failure);
            }
            LOG.log(Level.INFO, "{0}/{1}: connection lost at byte {2} ({3}); resuming", repoId, filename, Math.max(after, 0),
                    failure == null ? "short body" : failure.getMessage());
            sleepBeforeRetry(stalled);
        }
        long got = Files.size(partial);
        if (meta.size() >= 0 && got != meta.size()) {
            throw new HubException(repoId + "/" + filename + ": got " + got + " bytes, the hub announced " + meta.size() + "; run again to resume");
        }
        verify(repoId, filename, meta.etag(), partial);
        Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        listener.finished(filename);
    }

    /**
     * One GET of {@code meta.location()} from byte {@code from} appended to {@code partial}.
     * Returns true when the server says the file is complete (its body ended normally with no
     * size announced, or a 416 for a range starting at the end).
     */
    private boolean getInto(String repoId, String filename, FileMeta meta, Path partial, long from) throws IOException {
        URI uri = meta.location();
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            // HttpURLConnection, unlike HttpClient, has a read timeout: a stalled transfer fails
            // (and is resumed) instead of hanging.
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            try {
                c.setInstanceFollowRedirects(false);
                c.setConnectTimeout((int) settings.timeout().toMillis());
                c.setReadTimeout((int) settings.timeout().toMillis());
                c.setRequestProperty("Accept-Encoding", "identity");
                c.setRequestProperty("User-Agent", USER_AGENT);
                if (settings.token() != null && sameHost(uri, settings.endpoint())) {
                    c.setRequestProperty("Authorization", "Bearer " + settings.token());
                }
                if (from > 0) {
                    c.setRequestProperty("Range", "bytes=" + from + "-");
                }
                int code;
                try {
                    code = c.getResponseCode();
                } catch (java.net.ConnectException | java.net.UnknownHostException e) {
                    throw new IOException("cannot connect to " + uri.getHost() + ": " + e.getMessage(), e);
                }
                String location = c.getHeaderField("Location");
                if (code / 100 == 3 && location != null) {
                    uri = uri.resolve(location);
                    continue;
                }
                if (code == 416) {
                    if (meta.size() >= 0 && from == meta.size()) {
                        return true;
                    }
                    Files.deleteIfExists(partial); // the server disowns our prefix: start over
                    throw new IOException("range not satisfiable at byte " + from);
                }
                if (code >= 400) {
                    throw new HubException(repoId + "/" + filename + ": the file server answered HTTP " + code
                            + (code == 401 || code == 403 ? " (check HF_TOKEN)" : ""));
                }
                boolean append = code == 206;
                try (InputStream in = c.getInputStream();
                        OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                    long done = append ? from : 0;
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        out.write(buf, 0, n);
                        done += n;
                        listener.progress(filename, done);
                    }
                }
                return meta.size() < 0;
            } finally {
                c.disconnect();
            }
        }
        throw new HubException(repoId + "/" + filename + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private static void verify(String repoId, String filename, String etag, Path file) throws IOException {
        Checksums.Kind kind = Checksums.kindOf(etag);
        if (kind == Checksums.Kind.NONE) {
            LOG.log(Level.WARNING, "{0}/{1}: the ETag {2} is not a checksum; the file is not verified", repoId, filename, etag);
            return;
        }
        String actual = kind == Checksums.Kind.SHA256 ? Checksums.sha256(file) : Checksums.gitBlobSha1(file);
        if (!actual.equals(etag)) {
            Files.deleteIfExists(file);
            throw new ChecksumMismatchException(repoId + "/" + filename + ": checksum mismatch (" + kind.label() + " expected " + etag
                    + ", got " + actual + "); the download was deleted, run again");
        }
    }

    // ---------------------------------------------------------------- HTTP

    /** The hub could not be reached at all (as opposed to answering with an error). */
    private static final class Unreachable extends IOException {
        private static final long serialVersionUID = 1L;

        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder b, HttpResponse.BodyHandler<T> handler, String repoId, String filename,
            String revision) throws IOException {
        return send(b, handler, repoId, filename, revision, settings.endpoint());
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder b, HttpResponse.BodyHandler<T> handler, String repoId, String filename,
            String revision, URI target) throws IOException {
        b.timeout(settings.timeout()).header("User-Agent", USER_AGENT);
        if (settings.token() != null && sameHost(target, settings.endpoint())) {
            b.header("Authorization", "Bearer " + settings.token());
        }
        HttpResponse<T> r;
        try {
            r = http.send(b.build(), handler);
        } catch (ConnectException | HttpConnectTimeoutException | java.nio.channels.UnresolvedAddressException e) {
            throw new Unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while fetching " + repoId);
        }
        int code = r.statusCode();
        if (code < 400) {
            return r;
        }
        if (r.body() instanceof InputStream in) {
            in.close();
        }
        String errorCode = r.headers().firstValue("X-Error-Code").orElse("");
        String what = repoId + (filename != null ? "/" + filename : "") + (revision != null && !"main".equals(revision) ? "@" + revision : "");
        throw new HubException(switch (code) {
            case 401 -> errorCode.equals("RepoNotFound") && settings.token() == null
                    ? what + ": not found on " + settings.endpoint() + " (401); check the name, or set HF_TOKEN if it is private"
                    : what + ": 401 Unauthorized: " + (settings.token() == null
                            ? "the repository is private or gated; set HF_TOKEN (or log in with huggingface-cli)"
                            : "the hub refused the token (HF_TOKEN, or the one huggingface-cli login saved)");
            case 403 -> what + ": 403 Forbidden: " + (errorCode.equals("GatedRepo")
                    ? "the repository is gated; accept its terms on " + settings.endpoint() + "/" + repoId + " with the token's account"
                    : "the token has no access to this repository");
            case 404 -> switch (errorCode) {
                case "EntryNotFound" -> what + ": no such file in the repository (404)";
                case "RevisionNotFound" -> what + ": no such revision (404)";
                default -> what + ": not found on " + settings.endpoint() + " (404); check the name";
            };
            default -> what + ": the hub answered HTTP " + code;
        });
    }

    private void requireOnline(String repoId) throws HubException {
        if (settings.offline()) {
            throw new HubException("HF_HUB_OFFLINE is set: cannot ask the hub about " + repoId);
        }
    }

    private URI resolveUri(String repoId, String revision, String filename) {
        StringBuilder path = new StringBuilder(settings.endpoint().getPath()).append('/').append(repoId).append("/resolve/")
                .append(encode(revision));
        for (String segment : filename.split("/")) {
            path.append('/').append(encode(segment));
        }
        return URI.create(settings.endpoint().getScheme() + "://" + settings.endpoint().getRawAuthority() + path);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    static String normalizeEtag(String etag) {
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }

    private static void checkRepoId(String repoId) {
        if (!isRepoId(repoId)) {
            throw new IllegalArgumentException("'" + repoId + "' is not a hub repository id (org/name)");
        }
    }

    private static void sleepBeforeRetry(int attempt) throws java.io.InterruptedIOException {
        try {
            Thread.sleep(Math.min(2000L, 100L << Math.min(attempt, 4)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    /** Every file name of {@code names} that is in {@code available}, in the order given. */
    static List<String> present(Collection<String> available, String... names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (available.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }
}
