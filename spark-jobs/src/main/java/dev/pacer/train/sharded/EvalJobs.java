package dev.pacer.train.sharded;

import dev.pacer.data.CorpusPartition;
import dev.pacer.hidlr.ProbePlan;
import dev.pacer.train.ProbeResult;
import dev.pacer.train.StepResult;
import java.io.Serializable;

/**
 * Forward-only jobs of a sharded run, computed where the weights are: validation (at the
 * evaluation weights, which owners publish first for optimizers with two points), and Hi-DLR's
 * probe, whose direction each replica derives from the weights before and after the step it holds
 * (no weight or direction crosses the driver).
 */
final class EvalJobs {

    private EvalJobs() {}

    /** Nothing to report. */
    record Done(int rank) implements Serializable {}

    /** Every rank's validation loss at version {@code version}. */
    record Validate(ShardSpec spec, long generation, long version, boolean separateEvaluation)
            implements Ranks.Task<StepResult> {
        @Override
        public StepResult run(int rank, CorpusPartition data) {
            ExecutorState.Resident res = ExecutorState.existing(spec.run(), generation);
            BlockTransport transport = BlockTransport.here();
            float[] weights = separateEvaluation
                    ? res.replica.evaluation(spec, generation, version, transport)
                    : res.replica.at(spec, generation, version, false, transport);
            return spec.worker().validation(data, rank, weights);
        }
    }

    /** Every owner publishes its shard's evaluation weights at {@code version}. */
    record PublishEvaluation(ShardSpec spec, long generation, long version) implements Ranks.Task<Done> {
        @Override
        public Done run(int rank, CorpusPartition data) {
            ExecutorState.existing(spec.run(), generation)
                    .owner(rank)
                    .publishEvaluation(spec, generation, version, BlockTransport.here());
            return new Done(rank);
        }
    }

    /** Every rank's losses of a Hi-DLR probe along the step from {@code version - 1} to {@code version}. */
    record Probe(ShardSpec spec, long generation, long version, ProbePlan plan, long step, int sequences)
            implements Ranks.Task<ProbeResult> {
        @Override
        public ProbeResult run(int rank, CorpusPartition data) {
            ReplicaWeights replica = ExecutorState.existing(spec.run(), generation).replica;
            float[] after = replica.at(spec, generation, version, true, BlockTransport.here());
            float[] before = replica.previous(version);
            return spec.worker().probe(data, rank, before, plan.direction(before, after), plan, step, sequences);
        }
    }
}
