package dev.pacer.train.sharded;

import dev.pacer.data.CorpusPartition;
import dev.pacer.model.ParameterLayout;
import dev.pacer.optim.GradientClipper;
import dev.pacer.optim.ParamSlice;
import dev.pacer.train.StepResult;
import dev.pacer.transfer.Bf16Codec;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The jobs of a sharded step: three, or one ({@link Fused}). {@link Gradients}: every rank
 * computes its batch's gradient at the replica's weights and puts each owner's piece in its
 * executor's block store.
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
        /**
         * The rank's gradient; every owner's piece is put as a block, except the pieces of owners
         * whose shard this JVM keeps: they add it from the rank's gradient buffer
         * ({@link Reduce}), so on {@code local[N]} no gradient leaves its array.
         */
        @Override
        public Loss run(int rank, CorpusPartition data) {
            ExecutorState.Resident res = ExecutorState.existing(spec.run(), generation);
            BlockTransport transport = BlockTransport.here();
            float[] weights = res.replica.at(spec, generation, version, false, transport);
            float[] grads = res.gradientBuffer(rank, weights.length);
            StepResult r = spec.worker().gradientsInto(data, rank, weights, step, trainable, grads);
            res.gradientComputed(rank, seq);
            ParameterLayout layout = spec.layout();
            // the last step's pieces have all been read: the job that read them has finished
            res.dropGradientBlocks(transport, name -> !name.contains("-g" + seq + "-"));
            for (int owner = 0; owner < spec.plan().ranks(); owner++) {
                if (spec.piecesInMemory() && res.ownsHere(owner)) {
                    continue;
                }
                String name = spec.gradientBlock(generation, seq, rank, owner);
                List<ByteBuffer> chunks = TensorBlock.encode(
                        seq,
                        spec.trainableOf(owner, trainable),
                        grads,
                        t -> layout.tensors().get(t).offset(),
                        t -> layout.tensors().get(t).size(),
                        t -> spec.gradientsInBf16(),
                        res.chunks);
                transport.put(name, chunks);
                res.putGradientBlock(name, chunks);
            }
            return new Loss(rank, r.lossSum(), r.tokens(), r.computeNanos());
        }
    }

    /** Every owner's summed gradient, divided by the step's tokens ({@code inv}, as a float, as the driver does). */
    record Reduce(ShardSpec spec, long generation, long seq, float inv, boolean[] trainable)
            implements Ranks.Task<Squares> {
        /**
         * The owner's sum: each rank's piece from that rank's gradient buffer when it computed in
         * this JVM (rounded to bf16 when pieces travel in bf16, as its block would have been),
         * else from its block; added in rank order either way.
         */
        @Override
        public Squares run(int rank, CorpusPartition data) {
            ExecutorState.Resident res = ExecutorState.existing(spec.run(), generation);
            OwnerState owner = res.owner(rank);
            BlockTransport transport = BlockTransport.here();
            ParameterLayout layout = spec.layout();
            int[] tensors = spec.trainableOf(rank, trainable);
            float[] sum = owner.zeroedGradientSum();
            TensorBlock.Sink add = TensorBlock.addInto(sum, spec.plan()::offsetInShard);
            for (int from = 0; from < spec.plan().ranks(); from++) {
                float[] here = spec.piecesInMemory() ? res.gradientOf(from, seq) : null;
                if (here != null) {
                    for (int t : tensors) {
                        addPiece(
                                sum,
                                spec.plan().offsetInShard(t),
                                here,
                                layout.tensors().get(t).offset(),
                                layout.tensors().get(t).size());
                    }
                } else {
                    transport.read(
                            spec.gradientBlock(generation, seq, from, rank), chunks -> TensorBlock.read(chunks, add));
                }
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] *= inv;
            }
            owner.grads = sum;
            double[] squares = new double[tensors.length];
            for (int k = 0; k < tensors.length; k++) {
                int from = spec.plan().offsetInShard(tensors[k]);
                squares[k] = GradientClipper.sumOfSquares(
                        sum, from, from + layout.tensors().get(tensors[k]).size());
            }
            return new Squares(rank, tensors, squares);
        }

        private void addPiece(float[] sum, int to, float[] gradient, int from, int n) {
            if (spec.gradientsInBf16()) {
                for (int i = 0; i < n; i++) {
                    sum[to + i] += Bf16Codec.decode(Bf16Codec.encode(gradient[from + i]));
                }
            } else {
                for (int i = 0; i < n; i++) {
                    sum[to + i] += gradient[from + i];
                }
            }
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
            ExecutorState.Resident res = ExecutorState.existing(spec.run(), generation);
            OwnerState owner = res.owner(rank);
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
            owner.publish(
                    spec, generation, version, spec.trainableOf(rank, trainable), BlockTransport.here(), res.chunks);
            return new Partials(rank, new int[0], new double[0][]);
        }
    }

    /** What a rank of a {@link Fused} step reports: its loss share, its squares, how long it summed and stepped. */
    record RankStep(Loss loss, Squares squares, long reduceNanos, long updateNanos) implements Serializable {}

    /**
     * A whole step as one job whose tasks run at once ({@link Ranks#runTogether}), for optimizers
     * that need nothing from other owners: every rank runs its {@link Gradients} and then puts its
     * loss share as a message block; every owner waits for every rank's share (put after that
     * rank's pieces, so the pieces are there too), runs its {@link Reduce} and puts its tensors'
     * squares; each then reads every owner's squares, derives the step's loss, gradient norm and
     * clipping factor as the driver does (the same sums in the same order) and, when both are
     * finite, runs its {@link Update}. Tasks wait for blocks, not at a Spark barrier (whose waits
     * sleep a second at a time).
     */
    record Fused(
            ShardSpec spec,
            long generation,
            long version,
            long step,
            long seq,
            boolean[] trainable,
            double[] rates,
            double gradClip)
            implements Ranks.Task<RankStep> {
        @Override
        public RankStep run(int rank, CorpusPartition data) {
            BlockTransport transport = BlockTransport.here();
            ExecutorState.Resident res = ExecutorState.existing(spec.run(), generation);
            Loss l = new Gradients(spec, generation, version, step, seq, trainable).run(rank, data);
            post(spec, res, transport, seq, spec.messageBlock(generation, seq, "loss", rank), new long[] {
                Double.doubleToRawLongBits(l.lossSum()), l.tokens()
            });
            int ranks = spec.plan().ranks();
            double lossSum = 0;
            long tokens = 0;
            for (int r = 0; r < ranks; r++) {
                long[] share = await(spec, res, transport, spec.messageBlock(generation, seq, "loss", r));
                lossSum += Double.longBitsToDouble(share[0]);
                tokens += share[1];
            }
            long t0 = System.nanoTime();
            Squares own = new Reduce(spec, generation, seq, (float) (1.0 / tokens), trainable).run(rank, data);
            long[] mine = new long[2 * own.tensors().length];
            for (int k = 0; k < own.tensors().length; k++) {
                mine[2 * k] = own.tensors()[k];
                mine[2 * k + 1] = Double.doubleToRawLongBits(own.squares()[k]);
            }
            post(spec, res, transport, seq, spec.messageBlock(generation, seq, "squares", rank), mine);
            long t1 = System.nanoTime();
            double[] squares = new double[spec.layout().tensors().size()];
            for (int r = 0; r < ranks; r++) {
                long[] theirs = await(spec, res, transport, spec.messageBlock(generation, seq, "squares", r));
                for (int k = 0; k < theirs.length; k += 2) {
                    squares[(int) theirs[k]] = Double.longBitsToDouble(theirs[k + 1]);
                }
            }
            double norm = GradientClipper.norm(squares);
            long t2 = System.nanoTime();
            if (Double.isFinite(lossSum / tokens) && Double.isFinite(norm)) {
                new Update(
                                spec,
                                generation,
                                GradientClipper.coefficient(norm, gradClip),
                                rates,
                                trainable,
                                version + 1,
                                Phase.WHOLE,
                                null)
                        .run(rank, data);
            } else {
                res.owner(rank).grads = null;
            }
            return new RankStep(l, own, t1 - t0, System.nanoTime() - t2);
        }
    }

    /**
     * Sends message {@code name} of step {@code seq} to every rank: in this JVM's memory when every
     * rank runs in it ({@link ShardSpec#oneJvm}), else as a block, dropped with the step's
     * gradient blocks.
     */
    private static void post(
            ShardSpec spec,
            ExecutorState.Resident res,
            BlockTransport transport,
            long seq,
            String name,
            long[] values) {
        if (spec.oneJvm()) {
            res.post(seq, name, values);
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(Long.BYTES * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        b.flip();
        transport.put(name, List.of(b));
        res.putGradientBlock(name, List.of());
    }

    /** The values of message {@code name}, waiting while its rank has not sent it yet. */
    private static long[] await(ShardSpec spec, ExecutorState.Resident res, BlockTransport transport, String name) {
        if (spec.oneJvm()) {
            return res.awaitMessage(name, transport::cancelled);
        }
        return transport.awaitRead(name, chunks -> {
            java.util.stream.LongStream.Builder out = java.util.stream.LongStream.builder();
            for (ByteBuffer c : chunks) {
                ByteBuffer b = c.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                while (b.remaining() >= Long.BYTES) {
                    out.add(b.getLong());
                }
            }
            return out.build().toArray();
        });
    }
}
