package dev.pacer.train.sharded;

import dev.pacer.data.CorpusPartition;
import dev.pacer.model.ParameterLayout;
import dev.pacer.optim.GradientClipper;
import dev.pacer.optim.ParamSlice;
import dev.pacer.train.StepResult;
import java.io.Serializable;
import java.util.List;

/**
 * The three jobs of a sharded step. {@link Gradients}: every rank computes its batch's gradient at
 * the replica's weights and puts each owner's piece in its executor's block store.
 * {@link Reduce}: every owner sums its pieces from all ranks in rank order (the order the
 * driver-held update adds them in), divides by the step's tokens and returns each tensor's sum of
 * squares. {@link Update}: with the clipping factor and the rates from the driver, every owner
 * steps its optimizer over its shard and publishes the new weights. Only scalars go to the driver.
 */
final class StepJobs {

    private StepJobs() {}

    /** A rank's share of a step's loss. */
    record Loss(int rank, double lossSum, long tokens, long computeNanos) implements Serializable {}

    /** An owner's tensors and each one's sum of squared gradients. */
    record Squares(int rank, int[] tensors, double[] squares) implements Serializable {}

    /** An owner's per-slice partials for an optimizer that reduces across tensors (tensor indices alongside). */
    record Partials(int rank, int[] tensors, double[][] partials) implements Serializable {}

    /** Every rank's gradient of step {@code step} at weights {@code version}, cut into its owners' pieces. */
    record Gradients(ShardSpec spec, long generation, long version, long step, long seq, boolean[] trainable)
            implements Ranks.Task<Loss> {
        @Override
        public Loss run(int rank, CorpusPartition data) {
            ExecutorState.Resident res = ExecutorState.existing(spec.run(), generation);
            BlockTransport transport = BlockTransport.here();
            float[] weights = res.replica.at(spec, generation, version, false, transport);
            float[] grads = res.gradientBuffer(rank, weights.length);
            StepResult r = spec.worker().gradientsInto(data, rank, weights, step, trainable, grads);
            ParameterLayout layout = spec.layout();
            synchronized (res.gradientBlocks) {
                // the last step's pieces have all been read: the reduce that read them has finished
                res.gradientBlocks.removeIf(name -> {
                    if (name.contains("-g" + seq + "-")) {
                        return false;
                    }
                    transport.remove(name);
                    return true;
                });
            }
            for (int owner = 0; owner < spec.plan().ranks(); owner++) {
                String name = spec.gradientBlock(generation, seq, rank, owner);
                transport.put(
                        name,
                        TensorBlock.encode(
                                seq,
                                spec.trainableOf(owner, trainable),
                                grads,
                                t -> layout.tensors().get(t).offset(),
                                t -> layout.tensors().get(t).size(),
                                t -> spec.gradientsInBf16()));
                synchronized (res.gradientBlocks) {
                    res.gradientBlocks.add(name);
                }
            }
            return new Loss(rank, r.lossSum(), r.tokens(), r.computeNanos());
        }
    }

    /** Every owner's summed gradient, divided by the step's tokens ({@code inv}, as a float, as the driver does). */
    record Reduce(ShardSpec spec, long generation, long seq, float inv, boolean[] trainable)
            implements Ranks.Task<Squares> {
        @Override
        public Squares run(int rank, CorpusPartition data) {
            OwnerState owner = ExecutorState.existing(spec.run(), generation).owner(rank);
            BlockTransport transport = BlockTransport.here();
            float[] sum = owner.zeroedGradientSum();
            TensorBlock.Sink add = TensorBlock.addInto(sum, spec.plan()::offsetInShard);
            for (int from = 0; from < spec.plan().ranks(); from++) {
                transport.read(
                        spec.gradientBlock(generation, seq, from, rank), chunks -> TensorBlock.read(chunks, add));
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] *= inv;
            }
            owner.grads = sum;
            ParameterLayout layout = spec.layout();
            int[] tensors = spec.trainableOf(rank, trainable);
            double[] squares = new double[tensors.length];
            for (int k = 0; k < tensors.length; k++) {
                int from = spec.plan().offsetInShard(tensors[k]);
                squares[k] = GradientClipper.sumOfSquares(
                        sum, from, from + layout.tensors().get(tensors[k]).size());
            }
            return new Squares(rank, tensors, squares);
        }
    }

    /** How an {@link Update} runs the optimizer. */
    enum Phase {
        /** The whole step: the optimizer needs nothing from other owners. */
        WHOLE,
        /** Clip, then phase one: the per-slice partials go to the driver. */
        BEGIN,
        /** Phase two with every tensor's partials. */
        FINISH
    }

    /**
     * Every owner's optimizer step over its shard, the gradient clipped by {@code coef} (1: not
     * clipped) and each tensor at its rate; after the whole step the owner publishes the trainable
     * tensors' new weights as {@code version}.
     */
    record Update(
            ShardSpec spec,
            long generation,
            double coef,
            double[] rates,
            boolean[] trainable,
            long version,
            Phase phase,
            List<double[]> allPartials)
            implements Ranks.Task<Partials> {
        @Override
        public Partials run(int rank, CorpusPartition data) {
            OwnerState owner = ExecutorState.existing(spec.run(), generation).owner(rank);
            List<ParamSlice> slices = spec.slices(spec.layout(), rank, rates, trainable);
            if (phase != Phase.FINISH && coef < 1.0) {
                GradientClipper.scale(owner.grads, 0, owner.grads.length, coef);
            }
            if (phase == Phase.BEGIN) {
                double[][] p = owner.optimizer.beginStep(owner.weights, owner.grads, slices);
                return new Partials(rank, spec.trainableOf(rank, trainable), p);
            }
            if (phase == Phase.WHOLE) {
                owner.optimizer.step(owner.weights, owner.grads, slices);
            } else {
                owner.optimizer.finishStep(owner.weights, owner.grads, slices, allPartials);
            }
            owner.grads = null;
            owner.publish(spec, generation, version, spec.trainableOf(rank, trainable), BlockTransport.here());
            return new Partials(rank, new int[0], new double[0][]);
        }
    }
}
