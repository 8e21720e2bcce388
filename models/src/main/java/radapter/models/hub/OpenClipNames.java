package radapter.models.hub;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * open_clip's pretrained names ({@code ViT-B-16} with the tag {@code openai}), spelled as
 * {@code open_clip.list_pretrained()} spells them, and the hub repositories holding their weights
 * with an {@code open_clip_config.json}. Only the ViT CLIP models radapter runs are listed (no
 * ResNets, ConvNeXts, CoCa, SigLIP or EVA). As in open_clip, tags are matched ignoring case and
 * with {@code -} read as {@code _}.
 */
public final class OpenClipNames {
    private static final Map<String, Map<String, String>> REPOS = table();

    private OpenClipNames() {
    }

    private static Map<String, Map<String, String>> table() {
        Map<String, Map<String, String>> t = new LinkedHashMap<>();
        // OpenAI's weights: open_clip fetches them from timm's repositories (QuickGELU models;
        // their open_clip_config.json says so).
        Map<String, String> b32 = tags("openai", "timm/vit_base_patch32_clip_224.openai",
                "laion2b_s34b_b79k", "laion/CLIP-ViT-B-32-laion2B-s34B-b79K",
                "datacomp_xl_s13b_b90k", "laion/CLIP-ViT-B-32-DataComp.XL-s13B-b90K");
        Map<String, String> b16 = tags("openai", "timm/vit_base_patch16_clip_224.openai",
                "laion2b_s34b_b88k", "laion/CLIP-ViT-B-16-laion2B-s34B-b88K",
                "datacomp_xl_s13b_b90k", "laion/CLIP-ViT-B-16-DataComp.XL-s13B-b90K",
                "datacomp_l_s1b_b8k", "laion/CLIP-ViT-B-16-DataComp.L-s1B-b8K");
        // laion2b_s32b_b82k is left out: it normalises with Inception's mean/std, not CLIP's.
        Map<String, String> l14 = tags("openai", "timm/vit_large_patch14_clip_224.openai",
                "datacomp_xl_s13b_b90k", "laion/CLIP-ViT-L-14-DataComp.XL-s13B-b90K");
        t.put("ViT-B-32", b32);
        t.put("ViT-B-32-quickgelu", tags("openai", "timm/vit_base_patch32_clip_224.openai"));
        t.put("ViT-B-32-256", tags("datacomp_s34b_b86k", "laion/CLIP-ViT-B-32-256x256-DataComp-s34B-b86K"));
        t.put("ViT-B-16", b16);
        t.put("ViT-B-16-quickgelu", tags("openai", "timm/vit_base_patch16_clip_224.openai"));
        t.put("ViT-L-14", l14);
        t.put("ViT-L-14-quickgelu", tags("openai", "timm/vit_large_patch14_clip_224.openai"));
        t.put("ViT-L-14-336", tags("openai", "timm/vit_large_patch14_clip_336.openai"));
        t.put("ViT-L-14-336-quickgelu", tags("openai", "timm/vit_large_patch14_clip_336.openai"));
        t.put("ViT-H-14", tags("laion2b_s32b_b79k", "laion/CLIP-ViT-H-14-laion2B-s32B-b79K"));
        t.put("ViT-g-14", tags("laion2b_s12b_b42k", "laion/CLIP-ViT-g-14-laion2B-s12B-b42K",
                "laion2b_s34b_b88k", "laion/CLIP-ViT-g-14-laion2B-s34B-b88K"));
        t.put("ViT-bigG-14", tags("laion2b_s39b_b160k", "laion/CLIP-ViT-bigG-14-laion2B-39B-b160k"));
        return t;
    }

    private static Map<String, String> tags(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    /** Whether {@code model} is an open_clip architecture name listed here. */
    public static boolean isModel(String model) {
        return REPOS.containsKey(model);
    }

    /** The architecture names, in open_clip's order. */
    public static List<String> models() {
        return List.copyOf(REPOS.keySet());
    }

    /** The pretrained tags of {@code model} (empty for an unknown model). */
    public static List<String> tags(String model) {
        return List.copyOf(REPOS.getOrDefault(model, Map.of()).keySet());
    }

    /** The hub repository of {@code model} pretrained as {@code tag}, if listed. */
    public static Optional<String> repo(String model, String tag) {
        return Optional.ofNullable(REPOS.getOrDefault(model, Map.of()).get(normalizeTag(tag)));
    }

    /**
     * The hub repository of {@code model} + {@code tag}, or a one-line error listing what exists
     * (the known tags of the model, or the models with a similar name).
     */
    public static String require(String model, String tag) {
        if (!REPOS.containsKey(model)) {
            String hint = REPOS.keySet().stream().filter(m -> m.equalsIgnoreCase(model)).findFirst()
                    .map(m -> "; did you mean " + m + "?").orElse("; known: " + String.join(", ", REPOS.keySet()));
            throw new IllegalArgumentException("'" + model + "' is not an open_clip ViT model name" + hint);
        }
        return repo(model, tag).orElseThrow(() -> new IllegalArgumentException(
                "open_clip has no '" + tag + "' weights for " + model + " that radapter knows; known tags: " + String.join(", ", tags(model))));
    }

    /** open_clip's tag normalisation: lower case, {@code -} as {@code _}. */
    static String normalizeTag(String tag) {
        return tag.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    }
}
