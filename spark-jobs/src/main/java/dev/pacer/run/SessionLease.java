package dev.pacer.run;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session a job runs in, and whether the job may stop it: a session the job started is
 * stopped when the lease closes; one it borrowed (an application's, a notebook's, a test's) is left
 * running.
 */
public final class SessionLease implements AutoCloseable {

    private final SparkSession session;
    private final boolean owned;

    private SessionLease(SparkSession session, boolean owned) {
        this.session = session;
        this.owned = owned;
    }

    /** {@code session}, left running on close. */
    public static SessionLease borrow(SparkSession session) {
        return new SessionLease(session, false);
    }

    /** {@code given} if not null (left running); else a session from {@code conf}, stopped on close. */
    public static SessionLease open(SparkSession given, SparkConf conf) {
        return given != null
                ? borrow(given)
                : new SessionLease(SparkSession.builder().config(conf).getOrCreate(), true);
    }

    /** The running default session if there is one (left running); else a new one, stopped on close. */
    public static SessionLease reuseOrStart(SparkConf conf) {
        return SparkSession.getDefaultSession().isDefined()
                ? borrow(SparkSession.getDefaultSession().get())
                : open(null, conf);
    }

    public SparkSession session() {
        return session;
    }

    @Override
    public void close() {
        if (owned) {
            session.stop();
        }
    }
}
