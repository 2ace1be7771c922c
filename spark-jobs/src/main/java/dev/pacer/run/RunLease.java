package dev.pacer.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.pacer.config.Check;
import dev.pacer.run.LeaseAcquisition.Request;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per run directory (docs/run-directory.md): the lease file {@code RUN_DIR/_LEASE}
 * names the invocation that writes the directory, and a daemon thread refreshes its heartbeat
 * every quarter of the timeout. A second writer is refused with one line naming the holder; a
 * lease whose heartbeat is older than its holder's timeout (the holder died without releasing
 * it) is taken over with a warning and a {@code lease_taken_over} event. The lease is released
 * when closed and, on Ctrl-C or SIGTERM, by a shutdown hook.
 *
 * <p>Each heartbeat first checks that the file still names this invocation: one that lost its
 * lease (its heartbeats stopped for longer than the timeout, and another invocation took over)
 * finds out then, and {@link #checkHeld} stops it before its next checkpoint.
 *
 * <p>The thread that holds a lease may take it again (the Java API's run takes it, and the job
 * and the report inside take it again); closing the outermost take releases it. Any other
 * thread or process is refused.
 */
public final class RunLease implements AutoCloseable {

    public static final String FILE = "_LEASE";
    public static final String TIMEOUT_KEY = "pacer.run.lease-timeout-seconds";
    static final long DEFAULT_TIMEOUT_SECONDS = 120;

    /** After Spark's hook (which stops the context), before Hadoop's (which closes the file systems). */
    private static final int HOOK_PRIORITY = FileSystem.SHUTDOWN_HOOK_PRIORITY + 20;

    private static final Logger LOG = LoggerFactory.getLogger(RunLease.class);
    private static final Map<Path, RunLease> HELD = new ConcurrentHashMap<>();

    private final RunStorage storage;
    private final Path path;
    private final LeaseFiles files;
    private final Clock clock;
    private final Thread owner = Thread.currentThread();
    private final LeaseRecord takenOver;
    private final Runnable hook = this::release;
    private volatile LeaseRecord record;
    private volatile Instant confirmed;
    private volatile String lost;
    private boolean failing;
    private boolean released;
    private int depth = 1;
    private ScheduledExecutorService beats;

    private RunLease(RunStorage storage, LeaseFiles files, Clock clock, LeaseRecord record, LeaseRecord takenOver) {
        this.storage = storage;
        this.path = storage.resolve(FILE);
        this.files = files;
        this.clock = clock;
        this.record = record;
        this.confirmed = record.heartbeat();
        this.takenOver = takenOver;
    }

    /** {@value #TIMEOUT_KEY}, checked: seconds without a heartbeat after which a lease may be taken over. */
    public static Duration timeout(Config pacer) {
        return Duration.ofSeconds(Check.inRange(TIMEOUT_KEY, pacer.getLong("run.lease-timeout-seconds"), 1, 86_400));
    }

    /** The timeout of the reference settings, for commands that take no settings ({@code pacer report}). */
    public static Duration defaultTimeout() {
        return timeout(com.typesafe.config.ConfigFactory.defaultReference().getConfig("pacer"));
    }

    /** The lease of {@code runDir} for {@code pacer pretrain} (and the Java API's run). */
    public static RunLease forPretrain(String runDir, Duration timeout, Configuration hadoop) {
        return take(runDir, new Request("pretrain", "--run-dir", "give another --run-dir", timeout), hadoop);
    }

    /** The lease of {@code runDir} for writing its {@code report/}. */
    public static RunLease forReport(String runDir, Duration timeout, Configuration hadoop) {
        return take(
                runDir,
                new Request("report", "RUN_DIR", "write the report elsewhere with --output DIR", timeout),
                hadoop);
    }

    private static RunLease take(String runDir, Request request, Configuration hadoop) {
        return take(new RunStorage(runDir, hadoop), request, Clock.systemUTC(), true);
    }

    /** As the public factories, on {@code clock}, with the heartbeat thread or without (tests call {@link #beat}). */
    static RunLease take(RunStorage storage, String command, Duration timeout, Clock clock, boolean beating) {
        return take(storage, new Request(command, "--run-dir", "give another --run-dir", timeout), clock, beating);
    }

    private static RunLease take(RunStorage storage, Request request, Clock clock, boolean beating) {
        RunLease held = HELD.get(storage.resolve(FILE));
        if (held != null && held.owner == Thread.currentThread()) {
            synchronized (held) {
                held.depth++;
            }
            return held;
        }
        LeaseFiles files = new LeaseFiles(storage.fs());
        LeaseRecord mine = LeaseRecord.mine(request.command(), clock.instant(), request.timeout());
        LeaseRecord stale;
        try {
            stale = new LeaseAcquisition(storage, files, request, clock).acquire(mine);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(new StorageFailure(
                    "cannot take the lease " + storage.resolve(FILE) + " of run directory " + storage.root() + " ("
                            + StorageFailure.reason(e) + "); check the file system, then rerun",
                    e));
        }
        RunLease lease = new RunLease(storage, files, clock, mine, stale);
        HELD.put(lease.path, lease);
        ShutdownHookManager.get().addShutdownHook(lease.hook, HOOK_PRIORITY);
        if (stale != null) {
            lease.announceTakeover(stale);
        }
        if (beating) {
            lease.startBeating();
        }
        return lease;
    }

    /** The lease this one replaced because its holder stopped beating, or null. */
    public LeaseRecord takenOver() {
        return takenOver;
    }

    /** This invocation's record as last written. */
    public LeaseRecord record() {
        return record;
    }

    /**
     * Throws {@link LeaseLostException} when this invocation may no longer write the directory:
     * another invocation holds the lease now, or no heartbeat reached the file system for longer
     * than the timeout (so another may have taken over).
     */
    public void checkHeld() {
        String why = lost;
        Duration silent = Duration.between(confirmed, clock.instant());
        if (why == null && silent.compareTo(record.timeout()) > 0) {
            why = "its heartbeat has not reached the file system for " + silent.toSeconds() + " s, longer than its "
                    + record.timeout().toSeconds() + " s timeout, so another invocation may have taken it over";
        }
        if (why != null) {
            throw new LeaseLostException("this invocation lost the lease of run directory " + storage.root() + ": "
                    + why + "; it stopped before writing another checkpoint. Make sure no other pacer command writes"
                    + " this directory (or give each its own), then rerun to resume from the newest committed"
                    + " checkpoint");
        }
    }

    /** One heartbeat: checks the file still names this invocation, then rewrites it with the time. */
    synchronized void beat() {
        if (released || lost != null) {
            return;
        }
        try {
            LeaseRecord now = files.read(path, record.timeout());
            if (now == null || !now.invocation().equals(record.invocation())) {
                lost = now == null
                        ? "its lease file " + path + " was removed"
                        : "the lease now names " + now.describe(clock.instant());
                LOG.error("run directory {}: {}", storage.root(), lost);
                return;
            }
            LeaseRecord next = record.beatAt(clock.instant());
            files.replace(path, next.toJson());
            record = next;
            confirmed = next.heartbeat();
            failing = false;
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                LOG.warn("could not refresh the lease {} ({}); trying again", path, StorageFailure.reason(e));
            }
            failing = true;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (--depth > 0) {
                return;
            }
        }
        try {
            ShutdownHookManager.get().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook releases it
        }
        release();
    }

    /** Stops the heartbeat and deletes the lease file if it still names this invocation. */
    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        HELD.remove(path, this);
        if (beats != null) {
            beats.shutdown();
        }
        if (lost != null) {
            return;
        }
        try {
            LeaseRecord now = files.read(path, record.timeout());
            if (now != null && now.invocation().equals(record.invocation())) {
                files.delete(path);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "could not release the lease {} ({}); the next invocation takes it over once it is {} s old",
                    path,
                    StorageFailure.reason(e),
                    record.timeout().toSeconds());
        }
    }

    private void startBeating() {
        long every = Math.max(200, record.timeout().toMillis() / 4);
        beats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pacer-run-lease " + storage.root());
            t.setDaemon(true);
            return t;
        });
        beats.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    private void announceTakeover(LeaseRecord stale) {
        Instant now = clock.instant();
        LOG.warn(
                "run directory {}: took over the lease of {}, {}: that invocation ended without releasing it",
                storage.root(),
                stale.describe(now),
                stale.staleAt(now)
                        ? "older than its " + stale.timeout().toSeconds() + " s timeout"
                        : "whose process on this host is gone");
        ObjectNode event = JsonLinesLog.row()
                .put("event", "lease_taken_over")
                .put("time", now.toString())
                .put("heartbeat_age_s", Duration.between(stale.heartbeat(), now).toSeconds());
        event.set("previous", stale.toNode());
        event.set("holder", record.toNode());
        try (JsonLinesLog events = new JsonLinesLog(storage, storage.resolve("events.jsonl"), row -> true)) {
            events.append(event);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not record the takeover in events.jsonl ({})", StorageFailure.reason(e));
        }
    }
}
