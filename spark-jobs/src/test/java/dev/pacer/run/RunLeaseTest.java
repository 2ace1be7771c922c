package dev.pacer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease on its own, on a clock the test moves: refusal while the holder beats, takeover once
 * its heartbeat is older than its own timeout, release, loss detected by the heartbeat, and the
 * race in which a live lease replaces a stale one between a taker's read and its move.
 */
class RunLeaseTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Instant T0 = Instant.parse("2026-01-12T03:00:00Z");

    @TempDir
    Path dir;

    /** A clock that stands still until the test moves it; {@code onRead} runs before every reading. */
    private static final class TestClock extends Clock {
        Instant now = T0;
        Runnable onRead = () -> {};

        @Override
        public Instant instant() {
            onRead.run();
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final TestClock clock = new TestClock();

    private RunStorage storage() {
        return new RunStorage(dir.toString(), new Configuration());
    }

    private RunLease take() {
        return RunLease.take(storage(), "pretrain", TIMEOUT, clock, false);
    }

    private Path leaseFile() {
        return dir.resolve(RunLease.FILE);
    }

    private LeaseRecord onDisk() throws IOException {
        return LeaseRecord.parse(Files.readAllBytes(leaseFile()));
    }

    /** Another process's lease: pid 4242 on host "other-host", last heartbeat at {@code beat}. */
    private LeaseRecord foreign(Instant beat, Duration timeout) throws IOException {
        LeaseRecord r = new LeaseRecord(
                "pretrain",
                "nightly",
                "other-host",
                4242,
                "feedbeef-0000-4000-8000-000000000000",
                beat.minusSeconds(600),
                beat,
                timeout);
        Files.write(leaseFile(), r.toJson());
        return r;
    }

    @Test
    void takingWritesTheOwnerAndClosingRemovesIt() throws IOException {
        try (RunLease lease = take()) {
            LeaseRecord r = onDisk();
            assertEquals(lease.record().invocation(), r.invocation());
            assertEquals(ProcessHandle.current().pid(), r.pid());
            assertEquals(System.getProperty("user.name"), r.user());
            assertEquals("pretrain", r.command());
            assertEquals(T0, r.heartbeat());
            assertEquals(TIMEOUT, r.timeout());
            assertNull(lease.takenOver());
        }
        assertFalse(Files.exists(leaseFile()));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void aLiveHolderIsRefusedWithOneLineNamingItAndTheFix() throws IOException {
        foreign(T0.minusSeconds(30), TIMEOUT);
        RunDirectoryInUseException e = assertThrows(RunDirectoryInUseException.class, this::take);
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        for (String part : List.of(
                "--run-dir " + storage().root() + " is in use by pacer pretrain",
                "user nightly",
                "host other-host",
                "pid 4242",
                "invocation feedbeef",
                "last heartbeat 30 s ago",
                "give another --run-dir",
                "older than 120 s",
                "delete " + storage().resolve(RunLease.FILE))) {
            assertTrue(m.contains(part), "'" + part + "' not in: " + m);
        }
        assertEquals(4242, onDisk().pid(), "the holder's lease is left as it was");
    }

    /** A lease of process {@code pid} on this host, taken at {@code started}, with a fresh heartbeat. */
    private LeaseRecord onThisHost(long pid, Instant started) throws IOException {
        LeaseRecord r = new LeaseRecord(
                "pretrain",
                "nightly",
                LeaseRecord.hostName(),
                pid,
                "feedbeef-0000-4000-8000-000000000001",
                started,
                T0.minusSeconds(5),
                TIMEOUT);
        Files.write(leaseFile(), r.toJson());
        return r;
    }

    @Test
    void aHolderWhoseProcessOnThisHostIsGoneIsTakenOverAtOnce() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        assertTrue(ended.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        LeaseRecord dead = onThisHost(ended.pid(), Instant.now());
        try (RunLease lease = take()) {
            assertEquals(dead, lease.takenOver(), "a heartbeat 5 s old, but its process is gone");
        }
    }

    @Test
    void aHolderWhoseProcessOnThisHostRunsIsRefused() throws Exception {
        Process running = new ProcessBuilder("sleep", "60").start();
        try {
            onThisHost(running.pid(), Instant.now());
            assertThrows(RunDirectoryInUseException.class, this::take);
            assertEquals(running.pid(), onDisk().pid());
        } finally {
            running.destroyForcibly();
        }
    }

    @Test
    void aLeaseExactlyAsOldAsItsTimeoutIsStillHeld() throws IOException {
        foreign(T0.minus(TIMEOUT), TIMEOUT);
        assertThrows(RunDirectoryInUseException.class, this::take);
    }

    @Test
    void aStaleLeaseIsTakenOverWithAnEvent() throws IOException {
        LeaseRecord dead = foreign(T0.minus(TIMEOUT).minusSeconds(1), TIMEOUT);
        try (RunLease lease = take()) {
            assertEquals(dead, lease.takenOver());
            assertEquals(lease.record().invocation(), onDisk().invocation());
            List<String> events = Files.readAllLines(dir.resolve("events.jsonl"));
            assertEquals(1, events.size());
            JsonNode e = JsonLinesLog.JSON.readTree(events.get(0));
            assertEquals("lease_taken_over", e.path("event").asText());
            assertEquals(4242, e.path("previous").path("pid").asLong());
            assertEquals(121, e.path("heartbeat_age_s").asLong());
            assertEquals(
                    lease.record().invocation(),
                    e.path("holder").path("invocation").asText());
        }
        assertFalse(Files.exists(leaseFile()));
    }

    @Test
    void theHoldersOwnTimeoutDecidesNotTheTakers() throws IOException {
        // the holder promised a heartbeat at least every 600 s: 300 s of silence is not stale
        foreign(T0.minusSeconds(300), Duration.ofSeconds(600));
        assertThrows(RunDirectoryInUseException.class, this::take);
        foreign(T0.minusSeconds(601), Duration.ofSeconds(600));
        try (RunLease lease = take()) {
            assertNotNull(lease.takenOver());
        }
    }

    @Test
    void aHeartbeatRefreshesTheFileAndKeepsOthersOut() throws IOException {
        try (RunLease lease = take()) {
            clock.now = T0.plusSeconds(100);
            lease.beat();
            assertEquals(T0.plusSeconds(100), onDisk().heartbeat());
            clock.now = T0.plusSeconds(200); // 100 s after the last beat: within the timeout
            lease.checkHeld();
            RunDirectoryInUseException e = assertThrows(RunDirectoryInUseException.class, this::takeFromAnotherThread);
            assertTrue(e.getMessage().contains("last heartbeat 100 s ago"), e.getMessage());
        }
    }

    private void takeFromAnotherThread() {
        try {
            CompletableFuture.supplyAsync(this::take).join().close();
        } catch (java.util.concurrent.CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    @Test
    void theSameThreadTakesItAgainAndTheOutermostCloseReleases() throws IOException {
        RunLease outer = take();
        RunLease inner = take();
        assertSame(outer, inner);
        inner.close();
        assertTrue(Files.exists(leaseFile()), "the inner close keeps the lease");
        outer.close();
        assertFalse(Files.exists(leaseFile()));
    }

    @Test
    void aHolderWhoseLeaseWasTakenOverFindsOutAndLeavesTheNewLeaseAlone() throws IOException {
        RunLease lease = take();
        // its heartbeats stopped (a suspended machine), another invocation took over
        LeaseRecord other = foreign(T0.plusSeconds(500), TIMEOUT);
        clock.now = T0.plusSeconds(500);
        lease.beat();
        LeaseLostException e = assertThrows(LeaseLostException.class, lease::checkHeld);
        assertTrue(e.getMessage().contains("pid 4242"), e.getMessage());
        assertTrue(e.getMessage().contains("stopped before writing another checkpoint"), e.getMessage());
        lease.close();
        assertEquals(other, onDisk(), "the new holder's lease survives the old holder's close");
    }

    @Test
    void aHolderWhoseHeartbeatsDidNotLandForLongerThanTheTimeoutStops() throws IOException {
        try (RunLease lease = take()) {
            clock.now = T0.plus(TIMEOUT);
            lease.checkHeld();
            clock.now = T0.plus(TIMEOUT).plusSeconds(1);
            LeaseLostException e = assertThrows(LeaseLostException.class, lease::checkHeld);
            assertTrue(e.getMessage().contains("has not reached the file system for 121 s"), e.getMessage());
        }
    }

    @Test
    void anUnreadableLeaseIsJudgedByItsModificationTime() throws IOException {
        Files.writeString(leaseFile(), "{\"invoc", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(leaseFile(), FileTime.from(T0.minusSeconds(10)));
        RunDirectoryInUseException e = assertThrows(RunDirectoryInUseException.class, this::take);
        assertTrue(e.getMessage().contains("an unreadable lease file, last written 10 s ago"), e.getMessage());
        Files.setLastModifiedTime(leaseFile(), FileTime.from(T0.minusSeconds(500)));
        try (RunLease lease = take()) {
            assertEquals(lease.record().invocation(), onDisk().invocation());
        }
    }

    @Test
    void aLiveLeaseThatReplacedTheStaleOneIsPutBackAndTheTakerRefused() throws IOException {
        foreign(T0.minusSeconds(1000), TIMEOUT);
        // between the taker's read (stale) and its move, the stale holder's successor takes the
        // lease: the clock's second reading is that moment
        AtomicInteger readings = new AtomicInteger();
        LeaseRecord[] live = new LeaseRecord[1];
        clock.onRead = () -> {
            if (readings.incrementAndGet() == 2) {
                try {
                    live[0] = foreign(T0, TIMEOUT);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        RunDirectoryInUseException e = assertThrows(RunDirectoryInUseException.class, this::take);
        assertTrue(e.getMessage().contains("last heartbeat 0 s ago"), e.getMessage());
        assertEquals(live[0], onDisk(), "the live lease is back in place");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(leaseFile()), files.toList(), "nothing left aside");
        }
    }

    @Test
    void theTimeoutSettingIsChecked() {
        var ok = com.typesafe.config.ConfigFactory.parseString("run.lease-timeout-seconds = 30");
        assertEquals(Duration.ofSeconds(30), RunLease.timeout(ok));
        for (String bad : List.of("0", "86401", "-5")) {
            var c = com.typesafe.config.ConfigFactory.parseString("run.lease-timeout-seconds = " + bad);
            dev.pacer.config.ConfigError e =
                    assertThrows(dev.pacer.config.ConfigError.class, () -> RunLease.timeout(c));
            assertTrue(e.getMessage().startsWith(RunLease.TIMEOUT_KEY + " = " + bad), e.getMessage());
        }
        assertNotEquals(0, RunLease.defaultTimeout().toSeconds());
    }
}
