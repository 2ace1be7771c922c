package dev.pacer.run;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.hadoop.fs.Path;

/**
 * Taking a run directory's lease: create the lease file, or take over a stale one, or refuse with
 * one line naming the holder. Creating and moving aside are the only steps the file system makes
 * atomic, so two takers racing for a stale lease cannot both win.
 */
record LeaseAcquisition(RunStorage storage, LeaseFiles files, Request request, Clock clock) {

    /** Who asks: the command, the option that named the directory, and where else the user could write. */
    record Request(String command, String option, String alternative, Duration timeout) {}

    /** Tries a few times: a holder may release, or another taker move, between two steps. */
    private static final int ATTEMPTS = 4;

    /** Creates the lease file with {@code mine}; returns the stale lease it replaced, or null. */
    LeaseRecord acquire(LeaseRecord mine) throws IOException {
        Path path = storage.resolve(RunLease.FILE);
        LeaseRecord replaced = null;
        LeaseRecord current = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            if (files.createExclusive(path, mine.toJson())) {
                return replaced;
            }
            current = files.read(path, request.timeout());
            if (current == null) {
                continue; // released in between
            }
            Instant now = clock.instant();
            if (!current.staleAt(now) && !current.goneFromThisHost()) {
                throw inUse(current, now);
            }
            // moving the file aside succeeds for one taker only; what it moved must still be the
            // stale lease, not a live one that replaced it since it was read
            Path aside = LeaseFiles.sibling(path, "stale");
            if (!files.moveAside(path, aside)) {
                continue;
            }
            LeaseRecord moved = files.read(aside, request.timeout());
            if (moved == null || current.sameBeat(moved)) {
                files.delete(aside);
                replaced = current;
                continue;
            }
            if (!files.moveBack(aside, path)) {
                files.delete(aside);
            }
            throw inUse(moved, now);
        }
        throw inUse(current, clock.instant());
    }

    private RunDirectoryInUseException inUse(LeaseRecord holder, Instant now) {
        String who =
                holder == null ? "other invocations that kept taking and releasing its lease" : holder.describe(now);
        long timeout = (holder == null ? request.timeout() : holder.timeout()).toSeconds();
        return new RunDirectoryInUseException(request.option() + " " + storage.root() + " is in use by " + who
                + "; wait for it to finish or stop it, or " + request.alternative()
                + ". If that process is gone, its lease is taken over at once on its own host, elsewhere once its"
                + " last heartbeat is older than " + timeout + " s (or delete " + storage.resolve(RunLease.FILE)
                + " when you are sure)");
    }
}
