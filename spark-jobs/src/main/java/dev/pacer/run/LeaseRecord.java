package dev.pacer.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * What a run directory's lease file ({@link RunLease#FILE}) says: who holds the directory (the
 * command, user, host, process, an id of the invocation, when it started), when it last proved it
 * was alive, and after how long without a heartbeat it may be taken over (the holder's own
 * setting, so that a taker judges by the holder's promise, not its own).
 */
public record LeaseRecord(
        String command,
        String user,
        String host,
        long pid,
        String invocation,
        Instant started,
        Instant heartbeat,
        Duration timeout) {

    /** This process's record for {@code command} ("pretrain", "report"), started and beating at {@code now}. */
    static LeaseRecord mine(String command, Instant now, Duration timeout) {
        return new LeaseRecord(
                command,
                System.getProperty("user.name", "?"),
                hostName(),
                ProcessHandle.current().pid(),
                UUID.randomUUID().toString(),
                now,
                now,
                timeout);
    }

    LeaseRecord beatAt(Instant now) {
        return new LeaseRecord(command, user, host, pid, invocation, started, now, timeout);
    }

    /** Whether the holder missed its heartbeats for longer than its timeout, as of {@code now}. */
    boolean staleAt(Instant now) {
        return Duration.between(heartbeat, now).compareTo(timeout) > 0;
    }

    /**
     * Whether the holder ran on this host and its process is gone (no process with its pid, or one
     * started after the lease was taken: the pid was reused). A driver killed on this machine and
     * relaunched here then takes its lease over at once instead of after the timeout; a holder on
     * another host can only be judged by its heartbeat.
     */
    boolean goneFromThisHost() {
        if (pid < 0
                || !host.equals(hostName())
                || pid == ProcessHandle.current().pid()) {
            return false;
        }
        return ProcessHandle.of(pid)
                .map(p -> !p.isAlive()
                        || p.info().startInstant().map(s -> s.isAfter(started)).orElse(false))
                .orElse(true);
    }

    /** Whether {@code other} is the same holder at the same heartbeat (a lease not refreshed since it was read). */
    boolean sameBeat(LeaseRecord other) {
        return other != null && invocation.equals(other.invocation) && heartbeat.equals(other.heartbeat);
    }

    /** "pacer pretrain (user u, host h, pid 7, invocation 1a2b3c4d, started ..., last heartbeat 4 s ago)". */
    String describe(Instant now) {
        if (pid < 0) {
            return "an unreadable lease file, last written " + age(now);
        }
        return "pacer " + command + " (user " + user + ", host " + host + ", pid " + pid + ", invocation "
                + invocation.substring(0, Math.min(8, invocation.length())) + ", started "
                + started.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + ", last heartbeat " + age(now) + ")";
    }

    /** How long ago the last heartbeat was, in whole seconds ("in the future" under clock skew). */
    String age(Instant now) {
        long s = Duration.between(heartbeat, now).toSeconds();
        return s < 0 ? (-s) + " s in the future (clocks differ)" : s + " s ago";
    }

    byte[] toJson() {
        try {
            return JsonLinesLog.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toNode());
        } catch (IOException e) {
            throw new IllegalStateException(e); // a tree of strings and numbers always serializes
        }
    }

    ObjectNode toNode() {
        return JsonLinesLog.row()
                .put("command", command)
                .put("user", user)
                .put("host", host)
                .put("pid", pid)
                .put("invocation", invocation)
                .put("started", started.toString())
                .put("heartbeat", heartbeat.toString())
                .put("timeout_seconds", timeout.toSeconds());
    }

    /** The record in {@code bytes}, or null when they are not one (a file cut short, or not ours). */
    static LeaseRecord parse(byte[] bytes) {
        try {
            JsonNode n = JsonLinesLog.JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
            if (n == null || !n.hasNonNull("invocation") || !n.hasNonNull("heartbeat")) {
                return null;
            }
            return new LeaseRecord(
                    n.path("command").asText("?"),
                    n.path("user").asText("?"),
                    n.path("host").asText("?"),
                    n.path("pid").asLong(-1),
                    n.get("invocation").asText(),
                    Instant.parse(n.path("started").asText(n.get("heartbeat").asText())),
                    Instant.parse(n.get("heartbeat").asText()),
                    Duration.ofSeconds(
                            Math.max(1, n.path("timeout_seconds").asLong(RunLease.DEFAULT_TIMEOUT_SECONDS))));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** An unreadable lease file (cut short, or written by something else), dated by its modification time. */
    static LeaseRecord unreadable(Instant modified, Duration timeout) {
        return new LeaseRecord("?", "?", "?", -1, "?", modified, modified, timeout);
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "?" : env;
        }
    }
}
