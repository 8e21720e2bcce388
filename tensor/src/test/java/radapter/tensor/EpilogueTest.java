package radapter.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The epilogue's defaults and validation; its arithmetic is in {@link BackendParityTest#matmulWithEpilogue}. */
class EpilogueTest {

    @Test
    void builderDefaultsFollowBlas() {
        Epilogue none = Epilogue.builder().build();
        assertTrue(none.isIdentity());
        assertEquals(none, Epilogue.none());
        Epilogue withResidual = Epilogue.builder().residual(Tensor.ones(2, 3)).build();
        assertEquals(1.0, withResidual.beta(), "a residual is added once unless beta says otherwise");
        assertTrue(withResidual.hasResidual());
        Epilogue ignored = Epilogue.builder().residual(Tensor.ones(2, 3)).beta(0).build();
        assertFalse(ignored.hasResidual(), "beta = 0 ignores the residual, as in torch.addmm");
        Epilogue scaled = Epilogue.scaled(Tensor.full(2.0, 1));
        assertEquals(1.0, scaled.alpha());
        assertNull(scaled.rowScale());
        assertFalse(scaled.isIdentity());
    }

    @Test
    void badPartsAreOneLineErrorsNamingTheShape() {
        var e = assertThrows(IllegalArgumentException.class, () -> Epilogue.scaled(Tensor.ones(2)));
        assertEquals("matmul epilogue: the scale must have one element, got shape [2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Epilogue.builder().rowScale(Tensor.ones(2, 2)).build());
        assertEquals("matmul epilogue: the row scale must be [M], got shape [2, 2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Epilogue.builder().alpha(Double.NaN).build());
        assertTrue(e.getMessage().contains("alpha and beta must be finite"), e.getMessage());
        Tensor out = Tensor.zeros(4, 3);
        e = assertThrows(IllegalArgumentException.class, () -> Epilogue.builder().rowScale(Tensor.ones(3)).build().check(out));
        assertEquals("matmul epilogue: the row scale must be [4] for an output of shape [4, 3], got [3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Epilogue.builder().residual(Tensor.ones(3, 4)).build().check(out));
        assertEquals("matmul epilogue: the residual must have the output's shape [4, 3], got [3, 4]", e.getMessage());
    }

    @Test
    void defaultCompositionComputesTheWholeFormula() {
        // [[1, 2], [3, 4]] · I = itself; out = 0.5·R + 3·2·rowScale ⊙ A
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}).reshape(2, 2);
        Tensor eye = Tensor.of(new float[] {1, 0, 0, 1}).reshape(2, 2);
        Tensor rows = Tensor.of(new float[] {1, -1});
        Tensor r = Tensor.of(new float[] {10, 20, 30, 40}).reshape(2, 2);
        Tensor out = Tensor.empty(DType.F32, 2, 2);
        Epilogue e = Epilogue.builder().alpha(3).scale(Tensor.full(2.0, 1)).rowScale(rows).residual(r).beta(0.5).build();
        Backends.reference().matmul(a, eye, out, e);
        assertEquals(java.util.Arrays.toString(new double[] {11, 22, -3, -4}), java.util.Arrays.toString(out.toDoubleArray()));
    }
}
