package radapter.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A local stand-in for the Hugging Face hub (JDK {@code com.sun.net.httpserver}), serving the
 * endpoints a client uses with the headers the hub sends: {@code GET /api/models/{repo}} (and
 * {@code /revision/{rev}}) with the commit and the file list; {@code HEAD}/{@code GET
 * /{repo}/resolve/{rev}/{file}} answering small files directly with their git blob SHA-1 as ETag,
 * and LFS files (over 1 KiB, or any {@code .safetensors}) with a 302 to a second server (the
 * "CDN", another port, so another host to a client) plus {@code X-Linked-Etag} (SHA-256) and
 * {@code X-Linked-Size}. Faults on request: a token required (401 without it), a connection
 * dropped part-way through a file, or a file served with other bytes than its checksum says.
 */
public final class FakeHub implements AutoCloseable {
    private final HttpServer api;
    private final HttpServer cdn;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> lfs = new ConcurrentHashMap<>();
    private final Map<String, Long> dropAfter = new ConcurrentHashMap<>();
    private final Map<String, Boolean> corrupt = new ConcurrentHashMap<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private volatile String token;

    private record Repo(String commit, Map<String, byte[]> files) {
    }

    private FakeHub() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        api = HttpServer.create(any, 0);
        cdn = HttpServer.create(any, 0);
        api.createContext("/", this::api);
        cdn.createContext("/", this::cdn);
        api.start();
        cdn.start();
    }

    /** Starts both servers on free loopback ports. */
    public static FakeHub start() throws IOException {
        return new FakeHub();
    }

    /** The hub's address (what {@code HF_ENDPOINT} would say). */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + api.getAddress().getPort());
    }

    /** Publishes a repository with these files; its commit is derived from the contents. */
    public FakeHub repo(String repoId, Map<String, byte[]> files) {
        MessageDigest md = digest("SHA-1");
        md.update(repoId.getBytes(StandardCharsets.UTF_8));
        Map<String, byte[]> copy = new LinkedHashMap<>(files);
        copy.forEach((k, v) -> {
            md.update(k.getBytes(StandardCharsets.UTF_8));
            md.update(v);
        });
        String commit = HexFormat.of().formatHex(md.digest());
        repos.put(repoId, new Repo(commit, copy));
        copy.forEach((k, v) -> {
            if (isLfs(k, v)) {
                lfs.put(sha256(v), v);
            }
        });
        return this;
    }

    /** The commit {@code repoId} is at. */
    public String commit(String repoId) {
        return repos.get(repoId).commit();
    }

    /** From now on every request to the hub needs {@code Authorization: Bearer t} (null: none). */
    public void requireToken(String t) {
        token = t;
    }

    /** The next GET of {@code file} (any repository) closes the connection after {@code bytes} bytes. */
    public void dropConnectionOnce(String file, long bytes) {
        dropAfter.put(file, bytes);
    }

    /** {@code file} is served with its last byte changed (its checksum no longer matches). */
    public void corrupt(String file) {
        corrupt.put(file, true);
    }

    /** Every request so far, as {@code "METHOD path [Range: ...] [auth]"}. */
    public List<String> requests() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** Forgets the requests seen so far. */
    public void clearRequests() {
        log.clear();
    }

    @Override
    public void close() {
        api.stop(0);
        cdn.stop(0);
    }

    /** The SHA-256 of {@code b}, hex (an LFS file's ETag). */
    public static String sha256(byte[] b) {
        return HexFormat.of().formatHex(digest("SHA-256").digest(b));
    }

    /** The git blob SHA-1 of {@code b}, hex (a small file's ETag). */
    public static String gitSha1(byte[] b) {
        MessageDigest md = digest("SHA-1");
        md.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(md.digest(b));
    }

    private static boolean isLfs(String name, byte[] b) {
        return b.length > 1024 || name.endsWith(".safetensors");
    }

    private void record(HttpExchange ex) {
        String range = ex.getRequestHeaders().getFirst("Range");
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        log.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + (range != null ? " Range: " + range : "")
                + (auth != null ? " auth" : ""));
    }

    private void api(HttpExchange ex) throws IOException {
        try (ex) {
            record(ex);
            String t = token;
            if (t != null && !("Bearer " + t).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
                send(ex, 401, "{\"error\":\"Invalid credentials\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/api/models/")) {
                listing(ex, path.substring("/api/models/".length()));
                return;
            }
            String[] p = path.substring(1).split("/", 5); // org, name, "resolve", rev, file
            if (p.length < 5 || !p[2].equals("resolve")) {
                send(ex, 404, new byte[0]);
                return;
            }
            Repo repo = repos.get(p[0] + "/" + p[1]);
            if (repo == null) {
                ex.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
                send(ex, 401, new byte[0]);
                return;
            }
            if (!p[3].equals("main") && !p[3].equals(repo.commit())) {
                ex.getResponseHeaders().set("X-Error-Code", "RevisionNotFound");
                send(ex, 404, new byte[0]);
                return;
            }
            byte[] body = repo.files().get(p[4]);
            if (body == null) {
                ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
                send(ex, 404, new byte[0]);
                return;
            }
            var h = ex.getResponseHeaders();
            h.set("X-Repo-Commit", repo.commit());
            if (isLfs(p[4], body)) {
                String sha = sha256(body);
                h.set("X-Linked-Etag", "\"" + sha + "\"");
                h.set("X-Linked-Size", Long.toString(body.length));
                h.set("ETag", "\"lfs-pointer-" + sha.substring(0, 8) + "\"");
                h.set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/lfs/" + sha + "?file=" + p[4]);
                send(ex, 302, new byte[0]);
                return;
            }
            h.set("ETag", "\"" + gitSha1(body) + "\"");
            serve(ex, p[4], body);
        }
    }

    private void listing(HttpExchange ex, String rest) throws IOException {
        String id = rest.contains("/revision/") ? rest.substring(0, rest.indexOf("/revision/")) : rest;
        Repo repo = repos.get(id);
        if (repo == null) {
            ex.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
            send(ex, 401, new byte[0]);
            return;
        }
        StringBuilder json = new StringBuilder("{\"id\":\"" + id + "\",\"sha\":\"" + repo.commit() + "\",\"siblings\":[");
        int i = 0;
        for (String f : repo.files().keySet()) {
            json.append(i++ > 0 ? "," : "").append("{\"rfilename\":\"").append(f).append("\"}");
        }
        json.append("]}");
        ex.getResponseHeaders().set("Content-Type", "application/json");
        send(ex, 200, json.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void cdn(HttpExchange ex) throws IOException {
        try (ex) {
            record(ex);
            String path = ex.getRequestURI().getPath();
            byte[] body = path.startsWith("/lfs/") ? lfs.get(path.substring("/lfs/".length())) : null;
            if (body == null) {
                send(ex, 404, new byte[0]);
                return;
            }
            String query = ex.getRequestURI().getQuery();
            serve(ex, query != null && query.startsWith("file=") ? query.substring(5) : path, body);
        }
    }

    /** Sends {@code body} (honouring a Range request), applying the faults asked for {@code file}. */
    private void serve(HttpExchange ex, String file, byte[] body) throws IOException {
        if (corrupt.containsKey(file)) {
            body = body.clone();
            body[body.length - 1] ^= 1;
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(body.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        int from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            if (from >= body.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + body.length);
                send(ex, 416, new byte[0]);
                return;
            }
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        }
        int length = body.length - from;
        ex.sendResponseHeaders(from > 0 ? 206 : 200, length);
        Long drop = dropAfter.remove(file);
        OutputStream out = ex.getResponseBody();
        if (drop != null && drop < length) {
            out.write(body, from, (int) (long) drop);
            out.flush();
            // An exception out of the handler makes the server close the connection short of the
            // announced length: the client sees the body end early.
            throw new IOException("connection dropped on purpose after " + drop + " bytes");
        }
        out.write(body, from, length);
    }

    private static void send(HttpExchange ex, int code, byte[] body) throws IOException {
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
