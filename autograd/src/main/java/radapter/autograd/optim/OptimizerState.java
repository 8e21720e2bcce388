package radapter.autograd.optim;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of an optimizer, like PyTorch's {@code optimizer.state_dict()}: the hyper-parameters
 * of every group, and for every parameter that has state its step count and named state buffers
 * ({@code exp_avg}, {@code momentum_buffer}, ...) copied to {@code double[]} (exact for F32 and
 * F64 parameters). It holds no off-heap memory and is {@link Serializable}; parameters are
 * identified by their index in the optimizer's flat order (groups in order, parameters in order).
 *
 * <p>The arrays are shared, not copied, by the accessors; treat them as read-only.
 *
 * @param optimizer the optimizer's class name ({@code "AdamW"}, {@code "SGD"}); loading checks it
 * @param groups    one entry per parameter group, in order
 * @param params    one entry per parameter that has state, by increasing index
 */
public record OptimizerState(String optimizer, List<Group> groups, List<Param> params) implements Serializable {
    private static final long serialVersionUID = 1L;

    public OptimizerState {
        Objects.requireNonNull(optimizer, "optimizer");
        groups = List.copyOf(groups);
        params = List.copyOf(params);
    }

    /**
     * One parameter group's settings.
     *
     * @param lr          current learning rate
     * @param initialLr   the lr the group started with (what schedules scale)
     * @param weightDecay weight decay
     * @param options     optimizer-specific options by name (flags as 1 or 0)
     * @param paramIndices the flat indices of the group's parameters
     */
    public record Group(double lr, double initialLr, double weightDecay, Map<String, Double> options, int[] paramIndices)
            implements Serializable {
        private static final long serialVersionUID = 1L;

        public Group {
            options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
            paramIndices = paramIndices.clone();
        }
    }

    /**
     * One parameter's state.
     *
     * @param index   flat index of the parameter in the optimizer
     * @param name    the parameter's name when it had one (checked on load when both sides have one), else null
     * @param shape   the parameter's shape
     * @param step    how many updates the parameter has had
     * @param buffers named state buffers, each with the parameter's element count, row-major
     */
    public record Param(int index, String name, long[] shape, long step, Map<String, double[]> buffers) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Param {
            shape = shape.clone();
            buffers = Collections.unmodifiableMap(new LinkedHashMap<>(buffers));
        }
    }
}
