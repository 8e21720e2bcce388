package radapter.models.clip;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import radapter.models.nn.Activation;
import radapter.tensor.io.AtomicFiles;
import radapter.tensor.io.Json;

/**
 * The configuration files other tools need beside a CLIP's weights, made from a {@link ClipConfig}:
 * Hugging Face's {@code config.json} ({@code CLIPModel.from_pretrained(dir)}) and
 * {@code preprocessor_config.json} ({@code CLIPImageProcessor}), and open_clip's
 * {@code open_clip_config.json} ({@code create_model("local-dir:dir")}, which reads the weights
 * from {@code open_clip_model.safetensors}). Preprocessing is CLIP's: bicubic resize of the
 * shorter side, centre crop, OpenAI mean and standard deviation.
 */
public final class PretrainedConfigs {
    /** OpenAI CLIP's per-channel pixel mean (RGB). */
    public static final List<Double> MEAN = List.of(0.48145466, 0.4578275, 0.40821073);
    /** OpenAI CLIP's per-channel pixel standard deviation (RGB). */
    public static final List<Double> STD = List.of(0.26862954, 0.26130258, 0.27577711);
    /** log(1/0.07), CLIP's initial logit scale (the weights carry the trained one). */
    private static final double LOGIT_SCALE_INIT = 2.6592;

    private PretrainedConfigs() {
    }

    /** Hugging Face {@code CLIPConfig} ({@code model_type} clip) describing {@code c}. */
    public static Map<String, Object> huggingFace(ClipConfig c) {
        String act = switch (c.activation()) {
            case QUICK_GELU -> "quick_gelu";
            case GELU -> "gelu";
            case GELU_TANH -> "gelu_new";
        };
        Map<String, Object> text = new LinkedHashMap<>();
        text.put("model_type", "clip_text_model");
        text.put("vocab_size", c.text().vocabSize());
        text.put("hidden_size", c.text().width());
        text.put("intermediate_size", c.text().mlpHidden());
        text.put("num_hidden_layers", c.text().layers());
        text.put("num_attention_heads", c.text().heads());
        text.put("max_position_embeddings", c.text().contextLength());
        text.put("hidden_act", act);
        text.put("layer_norm_eps", c.layerNormEps());
        text.put("projection_dim", c.embedDim());
        // CLIP's ids: pooling reads the first end-of-text token (49407 in the OpenAI vocabulary).
        text.put("bos_token_id", c.text().vocabSize() - 2);
        text.put("eos_token_id", c.text().vocabSize() - 1);
        text.put("pad_token_id", 1);
        Map<String, Object> vision = new LinkedHashMap<>();
        vision.put("model_type", "clip_vision_model");
        vision.put("hidden_size", c.vision().width());
        vision.put("intermediate_size", c.vision().mlpHidden());
        vision.put("num_hidden_layers", c.vision().layers());
        vision.put("num_attention_heads", c.vision().heads());
        vision.put("image_size", c.vision().imageSize());
        vision.put("patch_size", c.vision().patchSize());
        vision.put("num_channels", 3);
        vision.put("hidden_act", act);
        vision.put("layer_norm_eps", c.layerNormEps());
        vision.put("projection_dim", c.embedDim());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("architectures", List.of("CLIPModel"));
        root.put("model_type", "clip");
        root.put("projection_dim", c.embedDim());
        root.put("logit_scale_init_value", LOGIT_SCALE_INIT);
        root.put("torch_dtype", "float32");
        root.put("text_config", text);
        root.put("vision_config", vision);
        return root;
    }

    /**
     * open_clip's hub config ({@code model_cfg} + {@code preprocess_cfg}) describing {@code c}.
     * open_clip has no tanh-approximated GELU; such a model is described with exact GELU.
     */
    public static Map<String, Object> openClip(ClipConfig c) {
        Map<String, Object> vision = new LinkedHashMap<>();
        vision.put("image_size", c.vision().imageSize());
        vision.put("layers", c.vision().layers());
        vision.put("width", c.vision().width());
        vision.put("head_width", c.vision().width() / c.vision().heads());
        vision.put("patch_size", c.vision().patchSize());
        Map<String, Object> text = new LinkedHashMap<>();
        text.put("context_length", c.text().contextLength());
        text.put("vocab_size", c.text().vocabSize());
        text.put("width", c.text().width());
        text.put("heads", c.text().heads());
        text.put("layers", c.text().layers());
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("embed_dim", c.embedDim());
        model.put("quick_gelu", c.activation() == Activation.QUICK_GELU);
        model.put("vision_cfg", vision);
        model.put("text_cfg", text);
        Map<String, Object> pre = new LinkedHashMap<>();
        pre.put("mean", MEAN);
        pre.put("std", STD);
        pre.put("interpolation", "bicubic");
        pre.put("resize_mode", "shortest");
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model_cfg", model);
        root.put("preprocess_cfg", pre);
        return root;
    }

    /** Hugging Face {@code CLIPImageProcessor} settings for {@code c}'s input size. */
    public static Map<String, Object> imageProcessor(ClipConfig c) {
        int size = c.vision().imageSize();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("image_processor_type", "CLIPImageProcessor");
        p.put("processor_class", "CLIPProcessor");
        p.put("do_resize", true);
        p.put("size", Map.of("shortest_edge", size));
        p.put("resample", 3); // PIL bicubic
        p.put("do_center_crop", true);
        p.put("crop_size", new LinkedHashMap<>(Map.of("height", size, "width", size)));
        p.put("do_rescale", true);
        p.put("rescale_factor", 1 / 255.0);
        p.put("do_normalize", true);
        p.put("image_mean", MEAN);
        p.put("image_std", STD);
        p.put("do_convert_rgb", true);
        return p;
    }

    /**
     * Writes {@code config.json}, {@code preprocessor_config.json} and {@code open_clip_config.json}
     * into {@code dir} (atomically each).
     *
     * @return the files written
     */
    public static List<Path> write(Path dir, ClipConfig c) throws IOException {
        List<Path> files = List.of(dir.resolve("config.json"), dir.resolve("preprocessor_config.json"), dir.resolve("open_clip_config.json"));
        AtomicFiles.writeString(files.get(0), Json.writePretty(huggingFace(c)));
        AtomicFiles.writeString(files.get(1), Json.writePretty(imageProcessor(c)));
        AtomicFiles.writeString(files.get(2), Json.writePretty(openClip(c)));
        return files;
    }
}
