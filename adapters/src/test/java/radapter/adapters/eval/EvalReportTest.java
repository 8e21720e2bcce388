package radapter.adapters.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.tensor.Tensor;
import radapter.tensor.io.Json;

/** The evaluation report's three files (and the α-sweep pair) hold the same numbers and parse back. */
class EvalReportTest {
    @TempDir
    Path tmp;

    static EvalReport classificationReport() {
        ClassSubset sub = ClassSubset.ofNames(List.of("a", "b", "c", "d"), List.of("b", "d"), "r200.txt");
        EvalReport r = new EvalReport(Map.of("model", "tiny.safetensors"));
        r.add(new EvalReport.Classification("val", true, 0.75, 1.0, 40, 0, 4, null));
        r.add(new EvalReport.Classification("sketch, v2", false, 0.5, 0.9, 20, 2, 2, sub));
        r.add(new EvalReport.Classification("r", false, 0.25, 0.8, 20, 0, 4, null));
        return r;
    }

    @Test
    @SuppressWarnings("unchecked")
    void classificationFilesAgree() throws Exception {
        EvalReport r = classificationReport();
        assertEquals(0.375, r.oodAverage(), 1e-15);
        List<Path> files = r.write(tmp.resolve("out"));
        assertEquals(3, files.size());
        Map<String, Object> json = Json.parseObject(Files.readString(tmp.resolve("out/results.json")));
        List<Object> cls = (List<Object>) json.get("classification");
        assertEquals(3, cls.size());
        Map<String, Object> sketch = (Map<String, Object>) cls.get(1);
        assertEquals("shift", sketch.get("role"));
        assertEquals(50.0, ((Number) sketch.get("top1_pct")).doubleValue());
        Map<String, Object> subset = (Map<String, Object>) sketch.get("subset");
        assertEquals("r200.txt", subset.get("source"));
        assertEquals(List.of("b", "d"), subset.get("names"));
        assertNull(((Map<String, Object>) cls.get(0)).get("subset"));
        assertEquals(37.5, ((Number) json.get("ood_average_top1_pct")).doubleValue(), 1e-12);

        List<String> csv = Files.readAllLines(tmp.resolve("out/results.csv"));
        assertTrue(csv.getFirst().startsWith("task,dataset,role,classes,subset,images"), csv.getFirst());
        assertEquals(5, csv.size(), "header, three sets, the OOD average");
        assertTrue(csv.get(2).startsWith("classification,\"sketch, v2\",shift,2,r200.txt,20,,2,50.0,90.0"), csv.get(2));
        assertTrue(csv.get(4).startsWith("classification,OOD average,ood-average,,,,,,37.5,"), csv.get(4));

        String md = Files.readString(tmp.resolve("out/report.md"));
        assertTrue(md.contains("| val | ID | all 4 | 40 | 0 | 75.00 | 100.00 |"), md);
        assertTrue(md.contains("2 of 4 classes (r200.txt)"), md);
        assertTrue(md.contains("**37.50**"), md);
    }

    @Test
    @SuppressWarnings("unchecked")
    void retrievalAndAlphaSweepFiles() throws Exception {
        // Two images, three captions: caption 2 (image 1) ranks second for image 1.
        Tensor sim = Tensor.of(new float[] {0.9f, 0.1f, 0.2f, 0.1f, 0.8f, 0.95f}, 2, 3);
        Metrics.Recall rec = Metrics.recall(sim, new int[] {0, 1, 1}, 1, 5, 10);
        EvalReport r = new EvalReport(Map.of());
        r.add(new EvalReport.Retrieval("coco", 2, 3, rec));
        Map<String, Double> a0 = new LinkedHashMap<>();
        a0.put("val", 0.5);
        a0.put("sketch", 0.4);
        a0.put("r", 0.2);
        Map<String, Double> a1 = new LinkedHashMap<>();
        a1.put("val", 0.8);
        a1.put("sketch", 0.3);
        a1.put("r", 0.1);
        r.add(new EvalReport.AlphaPoint(0, a0)).add(new EvalReport.AlphaPoint(1, a1));
        List<Path> files = r.write(tmp);
        assertEquals(5, files.size());
        assertTrue(Files.size(tmp.resolve("alpha_sweep.png")) > 0);
        Map<String, Object> json = Json.parseObject(Files.readString(tmp.resolve("results.json")));
        Map<String, Object> coco = (Map<String, Object>) ((List<Object>) json.get("retrieval")).getFirst();
        Map<String, Object> t2i = (Map<String, Object>) coco.get("text_to_image");
        assertEquals(rec.textToImage()[0], ((Number) t2i.get("r1_pct")).doubleValue());
        assertNull(json.get("ood_average_top1_pct"));
        List<Object> sweep = (List<Object>) json.get("alpha_sweep");
        assertEquals(30.0, ((Number) ((Map<String, Object>) sweep.getFirst()).get("ood_average_top1_pct")).doubleValue(), 1e-12);
        List<String> csv = Files.readAllLines(tmp.resolve("alpha_sweep.csv"));
        assertEquals("alpha,id_top1_pct,ood_average_top1_pct,val_top1_pct,sketch_top1_pct,r_top1_pct", csv.getFirst());
        assertTrue(csv.get(2).startsWith("1.0,80.0,"), csv.get(2));
        List<String> results = Files.readAllLines(tmp.resolve("results.csv"));
        assertTrue(results.getFirst().endsWith("t2i_r10_pct,i2t_median_rank,t2i_median_rank"), results.getFirst());
        assertTrue(results.get(1).startsWith("retrieval,coco,"), results.get(1));
        String md = Files.readString(tmp.resolve("report.md"));
        assertTrue(md.contains("| coco | 2 | 3 |") && md.contains("alpha_sweep.png"), md);
    }
}
