package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Writes bills to the PostgreSQL report store with {@link BillStore#upsertAll}: idempotent and monotone, so the
 * at-least-once delivery of a restarted job has an exactly-once effect on the store.
 *
 * <p>Bills are written in batches, one transaction each, by group commit: a bill that finds the writer idle waits
 * at most {@code maxDelay} (20 ms) for company, and the bills that come while a batch is being written gather and go
 * out together the moment it is done. So a quiet stream waits 20 ms, not for a fixed interval, and a busy one writes
 * batches as large as PostgreSQL's pace makes them, up to {@code maxBatch} (a full batch waits for the one before
 * it, which holds the task back: backpressure). Every batch is written before a checkpoint ({@link
 * SinkWriter#flush}), so a completed checkpoint never covers a bill the store does not have. Within a batch only the
 * newest version of each subscriber's bill for a cycle is kept: the store would skip the older ones' effect anyway,
 * and the bill-updates topic still carries every version. A transaction per bill on the task's thread spent most of
 * its time committing and capped the job at a few hundred records/s; the fixed 100 ms batch interval that came after
 * it cost a quiet bill 50-100 ms; with no wait at all an idle writer wrote a transaction per bill at 200 records/s
 * and the machine's two cores paid for it in the p99 (docs/benchmarks.md, "End to end"). The batches are written on
 * a thread of the writer's own, one at a time, so the task computes bills while PostgreSQL writes the batch before
 * ({@link Writer}). Each writer keeps one connection open (opening one per bill cost about 8 ms); a batch's line,
 * segment, bundle, version and change rows go by {@code COPY} ({@link BillStore#upsertAll}).
 */
public final class BillSink implements Sink<Bill> {

    private static final long serialVersionUID = 1L;

    /** Default most bills per transaction. */
    public static final int DEFAULT_MAX_BATCH = 500;
    /** Default longest a bill that finds the writer idle waits for company. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(20);

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String schema;
    private final int maxBatch;
    private final long maxDelayMillis;
    private final CommitListener listener;

    /** Told of every batch once its transaction has committed (benchmarks time bills with it). */
    @FunctionalInterface
    public interface CommitListener extends java.io.Serializable {
        void committed(java.util.Collection<Bill> bills);
    }

    /** This sink, telling {@code listener} of every committed batch. */
    public BillSink withCommitListener(CommitListener listener) {
        return new BillSink(jdbcUrl, user, password, schema, maxBatch, Duration.ofMillis(maxDelayMillis),
                Objects.requireNonNull(listener, "listener"));
    }

    public BillSink(String jdbcUrl, String user, String password, String schema) {
        this(jdbcUrl, user, password, schema, DEFAULT_MAX_BATCH, DEFAULT_MAX_DELAY);
    }

    public BillSink(String jdbcUrl, String user, String password, String schema, int maxBatch, Duration maxDelay) {
        this(jdbcUrl, user, password, schema, maxBatch, maxDelay, null);
    }

    private BillSink(String jdbcUrl, String user, String password, String schema, int maxBatch, Duration maxDelay,
            CommitListener listener) {
        this.listener = listener;
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.user = user;
        this.password = password;
        this.schema = BillStore.requireValidSchema(schema);
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay must not be negative, was " + maxDelay);
        }
        this.maxBatch = maxBatch;
        this.maxDelayMillis = maxDelay.toMillis();
    }

    @Override
    public SinkWriter<Bill> createWriter(WriterInitContext context) {
        ReusedConnection dataSource = new ReusedConnection();
        dataSource.setURL(jdbcUrl);
        // The store's row inserts go as JDBC batches; let the driver send them as multi-row INSERTs.
        dataSource.setReWriteBatchedInserts(true);
        if (user != null) {
            dataSource.setUser(user);
        }
        if (password != null) {
            dataSource.setPassword(password);
        }
        java.util.concurrent.ExecutorService io = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bill-store-writer-" + context.getTaskInfo().getIndexOfThisSubtask());
            t.setDaemon(true);
            return t;
        });
        MailboxExecutor mailbox = context.getMailboxExecutor();
        return new Writer(new BillStore(dataSource, schema), dataSource, context.getProcessingTimeService(),
                maxBatch, maxDelayMillis, listener, io, io::shutdownNow,
                written -> mailbox.execute(written::run, "write the bills gathered while a batch was written"));
    }

    /**
     * The batching writer; all its methods run on the task's mailbox thread (timers and mails included), and the
     * batches are written on {@code io}, one at a time: while a batch goes to PostgreSQL the task computes the next
     * bills (the bill operator and this sink are chained, so a synchronous write stopped both). When a batch is
     * written, {@code mailbox} runs {@link #written} on the task's thread, which sends the bills gathered meanwhile.
     * A full batch waits for the one before it, {@link #flush} (before every checkpoint) waits for all, and a failed
     * write fails the task at once (from that mail) or the next {@code write}, {@code flush} or {@code close}, so the
     * job restarts from its last checkpoint and nothing is lost.
     */
    static final class Writer implements SinkWriter<Bill> {
        private final BillStore store;
        private final ReusedConnection connection;
        private final ProcessingTimeService time;
        private final int maxBatch;
        private final long maxDelayMillis;
        private final CommitListener listener;
        private final java.util.concurrent.Executor io;
        private final Runnable stopIo;
        private final java.util.function.Consumer<Mail> mailbox;
        private final Map<String, Bill> batch = new LinkedHashMap<>();
        private java.util.concurrent.CompletableFuture<Void> inFlight =
                java.util.concurrent.CompletableFuture.completedFuture(null);
        private boolean timerSet;

        /** Work for the task's thread. */
        @FunctionalInterface
        interface Mail {
            void run() throws java.io.IOException;
        }

        /** A writer writing on the calling thread and running its mails there at once (tests). */
        Writer(BillStore store, ReusedConnection connection, ProcessingTimeService time, int maxBatch,
                long maxDelayMillis, CommitListener listener) {
            this(store, connection, time, maxBatch, maxDelayMillis, listener, Runnable::run, () -> { }, Writer::runNow);
        }

        Writer(BillStore store, ReusedConnection connection, ProcessingTimeService time, int maxBatch,
                long maxDelayMillis, CommitListener listener, java.util.concurrent.Executor io, Runnable stopIo,
                java.util.function.Consumer<Mail> mailbox) {
            this.listener = listener;
            this.store = store;
            this.connection = connection;
            this.time = time;
            this.maxBatch = maxBatch;
            this.maxDelayMillis = maxDelayMillis;
            this.io = Objects.requireNonNull(io, "io");
            this.stopIo = Objects.requireNonNull(stopIo, "stopIo");
            this.mailbox = Objects.requireNonNull(mailbox, "mailbox");
        }

        private static void runNow(Mail mail) {
            try {
                mail.run();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void write(Bill bill, Context context) throws java.io.IOException {
            batch.merge(bill.subscriber().value() + "/" + bill.cycle(), bill,
                    (held, next) -> next.version() >= held.version() ? next : held);
            if (batch.size() >= maxBatch) {
                writeBatch();
            } else if (!inFlight.isDone()) {
                return; // goes out when the batch in flight is written (written())
            } else if (maxDelayMillis == 0) {
                writeBatch();
            } else if (!timerSet) {
                timerSet = true;
                time.registerTimer(time.getCurrentProcessingTime() + maxDelayMillis, t -> {
                    timerSet = false;
                    written(); // unless a full batch went meanwhile: then its mail sends what gathered since
                });
            }
        }

        /**
         * A batch was written (or failed), or the linger of a bill that found the writer idle ended: sends what
         * gathered, unless a batch is in flight by now (its own mail will), and fails the task if the last write
         * failed. Runs on the task's thread.
         */
        private void written() throws java.io.IOException {
            if (inFlight.isDone()) {
                writeBatch();
            }
        }

        @Override
        public void flush(boolean endOfInput) throws java.io.IOException {
            writeBatch();
            awaitInFlight();
        }

        /** Hands the batch to {@code io} once the batch before it is written. */
        private void writeBatch() throws java.io.IOException {
            if (batch.isEmpty()) {
                throwIfFailed();
                return;
            }
            List<Bill> bills = List.copyOf(batch.values());
            batch.clear();
            awaitInFlight();
            java.util.concurrent.CompletableFuture<Void> f = java.util.concurrent.CompletableFuture.runAsync(() -> {
                store.upsertAll(bills);
                if (listener != null) {
                    listener.committed(bills);
                }
            }, io);
            inFlight = f;
            f.whenComplete((done, failure) -> mailbox.accept(this::written));
        }

        /** Throws if the batch last handed to {@code io} failed; does not wait for one still in flight. */
        private void throwIfFailed() throws java.io.IOException {
            if (inFlight.isDone()) {
                awaitInFlight();
            }
        }

        private void awaitInFlight() throws java.io.IOException {
            try {
                inFlight.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new java.io.IOException("writing bills to the report store failed: "
                        + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while writing bills to the report store");
            }
        }

        /** Bills waiting for their batch (for tests). */
        int pending() {
            return batch.size();
        }

        @Override
        public void close() throws Exception {
            try {
                awaitInFlight();
            } finally {
                stopIo.run();
                connection.closeConnection();
            }
        }
    }

    /**
     * A data source that opens one connection and hands it out again on every {@link #getConnection()}, its
     * {@code close()} doing nothing; a connection found closed (the server went away) is replaced. One writer, one
     * thread: not for sharing.
     */
    static final class ReusedConnection extends PGSimpleDataSource {
        private static final long serialVersionUID = 1L;
        private transient Connection connection;

        @Override
        public Connection getConnection() throws SQLException {
            if (connection == null || connection.isClosed()) {
                connection = super.getConnection();
            }
            Connection real = connection;
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && method.getParameterCount() == 0) {
                            return null;
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        void closeConnection() throws SQLException {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        }
    }
}
