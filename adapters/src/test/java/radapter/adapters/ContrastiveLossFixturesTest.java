package radapter.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import radapter.autograd.Variable;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.io.Json;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;

/** MPM-NCE, CLIP and soft-target losses: values and gradients against the official code (fixtures/loss). */
class ContrastiveLossFixturesTest {

    @Test
    @SuppressWarnings("unchecked")
    void everyCaseMatchesValueAndGradients() throws IOException {
        Map<String, Object> doc = Json.parseObject(Files.readString(Shared.fixtures("loss/cases.json")));
        try (SafeTensors fx = SafeTensors.open(Shared.fixtures("loss/loss.safetensors"))) {
            long[] labels = fx.get("labels").toLongArray();
            for (Object o : (List<Object>) doc.get("cases")) {
                Map<String, Object> c = (Map<String, Object>) o;
                String name = (String) c.get("name");
                String kind = (String) c.get("kind");
                double scale = ((Number) c.get("logit_scale")).doubleValue();
                double ls = ((Number) c.get("ls")).doubleValue();
                double mg = c.get("mg") instanceof Number n ? n.doubleValue() : 0.0;
                Variable u = Variable.parameter(fx.get("image_features").clone());
                Variable v = Variable.parameter(fx.get("text_features").clone());
                Variable loss = switch (kind) {
                    case "mpm_nce" -> ContrastiveLoss.mpmNce(u, v, labels, scale, mg, ls);
                    case "clip" -> ContrastiveLoss.clip(u, v, scale, ls);
                    case "soft_ce" -> ContrastiveLoss.multiPositive(u, v, labels, scale);
                    default -> throw new IllegalStateException(kind);
                };
                double expected = ((Number) c.get("loss")).doubleValue();
                assertEquals(expected, loss.item(), 1e-5 * Math.abs(expected), name + " loss");
                loss.backward();
                assertAbs(fx.get(name + ".grad_image_features"), u.grad(), 1e-4, name + " d/d image");
                assertAbs(fx.get(name + ".grad_text_features"), v.grad(), 1e-4, name + " d/d text");
            }
        }
    }

    static void assertAbs(Tensor expected, Tensor actual, double tol, String what) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol, what + " at " + i);
        }
    }

    @Test
    void staysFiniteWhereTheOfficialCodeUnderflows() {
        // Wide logit gaps (> 100 at scale 100): the official -log(exp(z - max)/sum) gives NaN/inf.
        Rng rng = new Rng(777);
        Tensor img = Tensor.randn(rng, 8, 16);
        Tensor txt = img.mul(0.6).add(Tensor.randn(rng, 8, 16));
        Tensor u = img.div(img.square().sum(new int[] {1}, true).sqrt());
        Tensor v = txt.div(txt.square().sum(new int[] {1}, true).sqrt());
        long[] labels = {3, 1, 3, 0, 2, 1, 3, 5};
        Variable loss = ContrastiveLoss.mpmNce(Variable.parameter(u), Variable.parameter(v), labels, 100.0, 0.05, 0.02);
        assertTrue(Double.isFinite(loss.item()), "loss " + loss.item());
    }

    @Test
    void allOneLabelBatchDropsTheSmoothingTermInsteadOfNaN() {
        Rng rng = new Rng(4);
        Tensor u = Tensor.randn(rng, 4, 8);
        Tensor v = Tensor.randn(rng, 4, 8);
        Variable loss = ContrastiveLoss.mpmNce(Variable.constant(u), Variable.constant(v), new long[] {2, 2, 2, 2}, 10.0, 0.05, 0.02);
        assertTrue(Double.isFinite(loss.item()));
        // With every pair positive the targets are uniform: the loss is the mean cross-entropy against 1/B.
        Variable plain = ContrastiveLoss.mpmNce(Variable.constant(u), Variable.constant(v), new long[] {2, 2, 2, 2}, 10.0, 0.0, 0.0);
        assertEquals(plain.item(), loss.item(), 1e-6);
    }
}
