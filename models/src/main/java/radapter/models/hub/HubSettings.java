package radapter.models.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the hub is reached and where its files are kept. {@link #fromEnvironment()} reads the
 * variables {@code huggingface_hub} documents, with the same defaults, so radapter shares one
 * cache with the Python tools:
 *
 * <ul>
 *   <li>{@code HF_ENDPOINT}: the hub's address (default {@code https://huggingface.co}), e.g. a
 *       mirror;</li>
 *   <li>{@code HF_HUB_CACHE} (or the older {@code HUGGINGFACE_HUB_CACHE}): the cache folder,
 *       default {@code $HF_HOME/hub}; {@code HF_HOME} defaults to
 *       {@code $XDG_CACHE_HOME/huggingface} or {@code ~/.cache/huggingface};</li>
 *   <li>{@code HF_TOKEN} (or {@code HUGGING_FACE_HUB_TOKEN}): the access token for gated and
 *       private repositories, else the one {@code huggingface-cli login} saved in
 *       {@code $HF_HOME/token} (or {@code HF_TOKEN_PATH});</li>
 *   <li>{@code HF_HUB_OFFLINE=1}: never touch the network, use the cache only.</li>
 * </ul>
 *
 * @param endpoint the hub's base address, without a trailing slash
 * @param cacheDir the hub cache folder (holding {@code models--org--name/} folders)
 * @param token the access token, or null
 * @param offline true to use the cache only
 * @param timeout connect and idle-read timeout of each request
 */
public record HubSettings(URI endpoint, Path cacheDir, String token, boolean offline, Duration timeout) {

    /** The public hub. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    public HubSettings {
        String e = endpoint.toString();
        if (e.endsWith("/")) {
            endpoint = URI.create(e.substring(0, e.length() - 1));
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
    }

    /**
     * The settings of this process's environment. A JVM system property of the same name
     * ({@code -DHF_HUB_OFFLINE=1}) takes precedence over the environment variable, for programs
     * that cannot change their environment.
     */
    public static HubSettings fromEnvironment() {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        for (String name : VARIABLES) {
            String v = System.getProperty(name);
            if (v != null) {
                env.put(name, v);
            }
        }
        return fromEnvironment(env, Path.of(System.getProperty("user.home")));
    }

    /** The variables read, as {@code huggingface_hub} names them. */
    public static final List<String> VARIABLES = List.of("HF_ENDPOINT", "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE",
            "XDG_CACHE_HOME", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE");

    /** The settings {@code env} describes, with {@code home} as the user's home folder. */
    public static HubSettings fromEnvironment(Map<String, String> env, Path home) {
        String endpoint = nonBlank(env.get("HF_ENDPOINT"));
        Path hfHome = nonBlank(env.get("HF_HOME")) != null ? Path.of(env.get("HF_HOME"))
                : (nonBlank(env.get("XDG_CACHE_HOME")) != null ? Path.of(env.get("XDG_CACHE_HOME")) : home.resolve(".cache"))
                        .resolve("huggingface");
        String cache = nonBlank(env.get("HF_HUB_CACHE")) != null ? env.get("HF_HUB_CACHE") : nonBlank(env.get("HUGGINGFACE_HUB_CACHE"));
        Path cacheDir = cache != null ? Path.of(cache) : hfHome.resolve("hub");
        String token = nonBlank(env.get("HF_TOKEN")) != null ? env.get("HF_TOKEN").trim()
                : nonBlank(env.get("HUGGING_FACE_HUB_TOKEN")) != null ? env.get("HUGGING_FACE_HUB_TOKEN").trim() : null;
        if (token == null) {
            Path tokenFile = nonBlank(env.get("HF_TOKEN_PATH")) != null ? Path.of(env.get("HF_TOKEN_PATH")) : hfHome.resolve("token");
            token = readToken(tokenFile);
        }
        return new HubSettings(endpoint != null ? URI.create(endpoint.trim()) : DEFAULT_ENDPOINT, cacheDir, token,
                truthy(env.get("HF_HUB_OFFLINE")), Duration.ofSeconds(30));
    }

    /** These settings with another endpoint. */
    public HubSettings withEndpoint(URI e) {
        return new HubSettings(e, cacheDir, token, offline, timeout);
    }

    /** These settings with another cache folder. */
    public HubSettings withCacheDir(Path dir) {
        return new HubSettings(endpoint, dir, token, offline, timeout);
    }

    /** These settings with another token (null for none). */
    public HubSettings withToken(String t) {
        return new HubSettings(endpoint, cacheDir, t, offline, timeout);
    }

    /** These settings, offline or not. */
    public HubSettings withOffline(boolean off) {
        return new HubSettings(endpoint, cacheDir, token, off, timeout);
    }

    /** These settings with another request timeout. */
    public HubSettings withTimeout(Duration t) {
        return new HubSettings(endpoint, cacheDir, token, offline, t);
    }

    @Override
    public String toString() {
        // Never print the token itself.
        return "HubSettings[endpoint=" + endpoint + ", cacheDir=" + cacheDir + ", token=" + (token == null ? "none" : "set")
                + ", offline=" + offline + "]";
    }

    private static String readToken(Path file) {
        try {
            return Files.isRegularFile(file) ? nonBlank(Files.readString(file).trim()) : null;
        } catch (IOException e) {
            return null; // an unreadable token file is the same as none; a 401 later says what to do
        }
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    // huggingface_hub's _is_true: 1, ON, YES, TRUE in any case.
    private static boolean truthy(String s) {
        return s != null && switch (s.trim().toUpperCase(Locale.ROOT)) {
            case "1", "ON", "YES", "TRUE" -> true;
            default -> false;
        };
    }
}
