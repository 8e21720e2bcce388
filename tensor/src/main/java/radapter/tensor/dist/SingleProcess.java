package radapter.tensor.dist;

import radapter.tensor.Tensor;

/** The group of one process: nothing to exchange. */
final class SingleProcess implements Collective {
    static final SingleProcess INSTANCE = new SingleProcess();

    private SingleProcess() {
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public void allReduceSum(Tensor t) {
        Collectives.checkFloat(t, "allReduceSum");
    }

    @Override
    public Tensor allGather(Tensor t) {
        Collectives.checkFloat(t, "allGather");
        return t.clone();
    }

    @Override
    public void broadcast(Tensor t, int root) {
        Collectives.checkRoot(root, 1);
    }

    @Override
    public void barrier() {
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "single process";
    }
}
