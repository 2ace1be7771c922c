package dev.pacer.train.sharded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The fused step's messages between ranks in one JVM ({@link ExecutorState.Resident#post}): a
 * waiting rank is woken by the post, a step's first post forgets the last step's messages, and a
 * cancelled task stops waiting, for a message and for a block ({@link BlockTransport#awaitRead}).
 */
class RankMessagesTest {

    private final ExecutorState.Resident res = new ExecutorState.Resident("run", 1, 4);

    @Test
    void aWaitingRankGetsTheValuesPostedAfterItStartedWaiting() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            CompletableFuture<long[]> waiting =
                    CompletableFuture.supplyAsync(() -> res.awaitMessage("loss-1", () -> false));
            TimeUnit.MILLISECONDS.sleep(50);
            assertTrue(!waiting.isDone(), "returned before the message was posted");
            res.post(7, "loss-1", new long[] {3, -4});
            assertArrayEquals(new long[] {3, -4}, waiting.get(10, TimeUnit.SECONDS));
        });
    }

    @Test
    void theFirstPostOfAStepForgetsTheLastStepsMessages() {
        res.post(7, "loss-0", new long[] {1});
        res.post(7, "loss-1", new long[] {2});
        res.post(8, "loss-0", new long[] {5});
        // present messages return without asking whether the task was cancelled; absent ones ask
        assertArrayEquals(new long[] {5}, res.awaitMessage("loss-0", () -> true));
        IllegalStateException gone =
                assertThrows(IllegalStateException.class, () -> res.awaitMessage("loss-1", () -> true));
        assertTrue(gone.getMessage().contains("loss-1"), gone.getMessage());
    }

    @Test
    void aCancelledTaskStopsWaiting() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            AtomicBoolean cancelled = new AtomicBoolean();
            CompletableFuture<long[]> waiting =
                    CompletableFuture.supplyAsync(() -> res.awaitMessage("squares-1", cancelled::get));
            TimeUnit.MILLISECONDS.sleep(50);
            cancelled.set(true);
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
        });
    }

    @Test
    void aCancelledTaskStopsWaitingForABlock() {
        AtomicInteger tries = new AtomicInteger();
        BlockTransport never = new BlockTransport() {
            @Override
            public void put(String name, List<ByteBuffer> chunks) {}

            @Override
            public <T> T read(String name, Function<List<ByteBuffer>, T> reader) {
                tries.incrementAndGet();
                throw new MissingBlockException(name);
            }

            @Override
            public void remove(String name) {}

            @Override
            public boolean cancelled() {
                return tries.get() >= 3;
            }
        };
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> never.awaitRead("pacer-run-1-g7-mloss-1", c -> 0));
            assertTrue(e.getMessage().contains("pacer-run-1-g7-mloss-1"), e.getMessage());
        });
        assertEquals(3, tries.get());
    }
}
