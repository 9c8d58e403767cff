package live.edupulse.inbox;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import javax.sql.DataSource;
import live.edupulse.inbox.api.DeliveredEvent;
import live.edupulse.inbox.api.InboxConsumer;

/**
 * The inbox's database steps, each one transaction of its own ({@code REQUIRES_NEW}); a consumer's
 * {@link InboxConsumer#apply} runs inside the step that applies its event, so the event's record
 * and its effects commit together or not at all.
 *
 * <p>This class is the one owner of every change of an inbox row ({@code inbox_message},
 * {@code inbox_applied}, {@code inbox_aggregate}); the administration's listings only read.
 *
 * <p>Order: the row of {@code inbox_aggregate} (consumer, aggregate) is locked before an event is
 * judged, so two threads or instances never apply one aggregate's events at once; an event is applied
 * only when its {@code aggregate_seq} is the last applied one plus one.
 */
@ApplicationScoped
public class InboxStore {

    /** What became of a received or stored event. */
    public enum Verdict {
        /** Its effects are committed now. */
        APPLIED,
        /** Already received, or at or below its aggregate's last applied seq: dropped. */
        DUPLICATE,
        /** Ahead of its aggregate: stored until its predecessor is applied. */
        HELD,
        /** Stored and waiting for its next attempt, or parked: nothing to do now. */
        WAITING
    }

    static final String INSERT_RECEIVED = """
            INSERT INTO inbox_message (consumer, message_id, aggregate_type, aggregate_id, aggregate_seq,
                                       event_type, occurred_at, payload, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'received')
            ON CONFLICT (consumer, message_id) DO NOTHING
            """;

    static final String LOCK_AGGREGATE = """
            INSERT INTO inbox_aggregate (consumer, aggregate_type, aggregate_id, last_applied_seq)
            VALUES (?, ?, ?, 0)
            ON CONFLICT (consumer, aggregate_type, aggregate_id)
            DO UPDATE SET last_applied_seq = inbox_aggregate.last_applied_seq
            RETURNING last_applied_seq
            """;

    static final String SET_STATUS = """
            UPDATE inbox_message SET status = ?, settled_at = CASE WHEN ? THEN clock_timestamp() END,
                   payload = CASE WHEN ? THEN NULL ELSE payload END
             WHERE consumer = ? AND message_id = ?
            """;

    static final String ADVANCE = """
            UPDATE inbox_aggregate SET last_applied_seq = ?
             WHERE consumer = ? AND aggregate_type = ? AND aggregate_id = ?
            """;

    static final String FAILED = """
            INSERT INTO inbox_message (consumer, message_id, aggregate_type, aggregate_id, aggregate_seq,
                                       event_type, occurred_at, payload, status, attempts, next_attempt_at, last_error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? <= 1 THEN 'parked' ELSE 'retry' END, 1,
                    now() + make_interval(secs => ? / 1000.0), ?)
            ON CONFLICT (consumer, message_id) DO UPDATE
               SET attempts = inbox_message.attempts + 1,
                   status = CASE WHEN inbox_message.attempts + 1 >= ? THEN 'parked' ELSE 'retry' END,
                   next_attempt_at = now() + make_interval(
                       secs => least(?, ? * power(2, least(inbox_message.attempts, 30))) / 1000.0),
                   last_error = EXCLUDED.last_error
             WHERE inbox_message.status IN ('received', 'held', 'retry')
            RETURNING attempts, status
            """;

    static final String STORED = """
            SELECT message_id, aggregate_type, aggregate_id, aggregate_seq, event_type, occurred_at, payload, status
              FROM inbox_message WHERE consumer = ? AND message_id = ? FOR UPDATE
            """;

    static final String NEXT_HELD = """
            SELECT message_id FROM inbox_message
             WHERE consumer = ? AND aggregate_type = ? AND aggregate_id = ? AND aggregate_seq = ?
               AND status = 'held'
            """;

    static final String DUE = """
            SELECT consumer, message_id FROM inbox_message
             WHERE status = 'retry' AND next_attempt_at <= now()
             ORDER BY consumer, aggregate_type, aggregate_id, aggregate_seq
             LIMIT ?
            """;

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    /**
     * Records a delivered event and applies it if it is its aggregate's next. Throws whatever the
     * consumer throws (the transaction is then rolled back: nothing recorded).
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Verdict receive(InboxConsumer consumer, DeliveredEvent event) {
        try (Connection connection = dataSource.getConnection()) {
            if (!insertReceived(connection, consumer.name(), event)) {
                return Verdict.DUPLICATE;
            }
            return judge(connection, consumer, event);
        } catch (SQLException e) {
            throw new InboxStoreException("receiving " + event.eventId() + " for " + consumer.name(), e);
        }
    }

    /**
     * Locks the batch's existing aggregate rows ({@code FOR UPDATE}: a lock on the row, not a new
     * version of it), then creates the missing ones at 0, each in key order: only the missing ones
     * pay for an insert (an {@code ON CONFLICT} check costs about as much as the lock). A row
     * another transaction created after this statement began is in neither result (its insert
     * conflicts, and this statement's snapshot does not see it): the caller finds it missing.
     * Existing rows are locked before any row is created, so a transaction that waits here for
     * another's lock holds no half-inserted row that the other could be waiting for.
     */
    static final String LOCK_AGGREGATES = """
            WITH wanted AS (
                SELECT w.aggregate_type, w.aggregate_id
                  FROM unnest(?::text[], ?::text[]) AS w(aggregate_type, aggregate_id)),
            locked AS (
                SELECT a.aggregate_type, a.aggregate_id, a.last_applied_seq
                  FROM wanted w
                  JOIN inbox_aggregate a ON a.consumer = ? AND a.aggregate_type = w.aggregate_type COLLATE "C"
                                        AND a.aggregate_id = w.aggregate_id COLLATE "C"
                 ORDER BY a.aggregate_type, a.aggregate_id
                   FOR UPDATE OF a),
            created AS (
                INSERT INTO inbox_aggregate (consumer, aggregate_type, aggregate_id, last_applied_seq)
                SELECT ?, w.aggregate_type, w.aggregate_id, 0
                  FROM wanted w
                  LEFT JOIN locked l ON l.aggregate_type = w.aggregate_type COLLATE "C"
                                    AND l.aggregate_id = w.aggregate_id COLLATE "C"
                 WHERE l.aggregate_id IS NULL
                 ORDER BY w.aggregate_type COLLATE "C", w.aggregate_id COLLATE "C"
                ON CONFLICT (consumer, aggregate_type, aggregate_id) DO NOTHING
                RETURNING aggregate_type, aggregate_id, last_applied_seq)
            SELECT aggregate_type, aggregate_id, last_applied_seq FROM locked
            UNION ALL
            SELECT aggregate_type, aggregate_id, last_applied_seq FROM created
            """;

    static final String INSERT_JUDGED = """
            INSERT INTO inbox_message (consumer, message_id, aggregate_type, aggregate_id, aggregate_seq,
                                       event_type, occurred_at, payload, status, settled_at)
            SELECT ?, m.message_id::uuid, m.aggregate_type, m.aggregate_id, m.aggregate_seq, m.event_type,
                   m.occurred_at::timestamptz, m.payload, m.status,
                   CASE WHEN m.status = 'held' THEN NULL ELSE clock_timestamp() END
              FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[])
                   AS m(message_id, aggregate_type, aggregate_id, aggregate_seq, event_type, occurred_at, payload, status)
            ON CONFLICT (consumer, message_id) DO NOTHING
            RETURNING message_id
            """;

    /**
     * Moves each given aggregate to its new last applied seq, in one statement, and returns those
     * of them a held event waits after. Driven by the arrays: one primary-key probe per aggregate
     * for the update, one probe of the open-message index per advanced aggregate for the held
     * successor ({@code LATERAL ... LIMIT 1} is never turned into a join that scans the
     * consumer's messages, whatever the statistics say).
     */
    static final String ADVANCE_ALL = """
            WITH advanced AS (
                UPDATE inbox_aggregate a SET last_applied_seq = u.seq
                  FROM unnest(?::text[], ?::text[], ?::bigint[]) AS u(aggregate_type, aggregate_id, seq)
                 WHERE a.consumer = ? AND a.aggregate_type = u.aggregate_type COLLATE "C"
                   AND a.aggregate_id = u.aggregate_id COLLATE "C"
                RETURNING a.aggregate_type, a.aggregate_id, a.last_applied_seq)
            SELECT v.aggregate_type, v.aggregate_id
              FROM advanced v
             CROSS JOIN LATERAL (
                   SELECT 1 FROM inbox_message m
                    WHERE m.consumer = ? AND m.status = 'held'
                      AND m.aggregate_type = v.aggregate_type AND m.aggregate_id = v.aggregate_id
                      AND m.aggregate_seq = v.last_applied_seq + 1
                    LIMIT 1) AS held
            """;

    /**
     * Whether the batch needs its events recorded message by message: one of its aggregates has an
     * open message (held, retrying or parked), or one of the events it would apply or hold has a
     * row already (an event an operator discarded, decided one message at a time before, is
     * dropped as received before, not applied). Read after the aggregates are locked, in a
     * statement of its own, so that it sees what a transaction that held one of the locks
     * committed. One probe of the open messages' index per aggregate ({@code LATERAL ... LIMIT 1})
     * and one primary-key probe per event, whatever the table's size.
     */
    static final String RECORDED_BEFORE = """
            SELECT EXISTS (
                       SELECT 1 FROM unnest(?::text[], ?::text[]) AS a(aggregate_type, aggregate_id)
                        CROSS JOIN LATERAL (
                              SELECT 1 FROM inbox_message m
                               WHERE m.consumer = ? AND m.status IN ('held', 'retry', 'parked')
                                 AND m.aggregate_type = a.aggregate_type COLLATE "C"
                                 AND m.aggregate_id = a.aggregate_id COLLATE "C"
                               LIMIT 1) AS open)
                OR EXISTS (
                       SELECT 1 FROM inbox_message m WHERE m.consumer = ? AND m.message_id = ANY (?::uuid[]))
            """;

    /**
     * Records the ids of the events a batch applied in order, in one row, and moves each aggregate
     * to its last applied seq: one statement.
     */
    static final String RECORD_IN_ORDER = """
            WITH recorded AS (
                INSERT INTO inbox_applied (consumer, message_ids) VALUES (?, ?::uuid[]))
            UPDATE inbox_aggregate a SET last_applied_seq = u.seq
              FROM unnest(?::text[], ?::text[], ?::bigint[]) AS u(aggregate_type, aggregate_id, seq)
             WHERE a.consumer = ? AND a.aggregate_type = u.aggregate_type COLLATE "C"
               AND a.aggregate_id = u.aggregate_id COLLATE "C"
            """;

    /**
     * Records and applies delivered events in one transaction: the aggregates' rows are locked
     * first (one statement, key order), each event is judged against its aggregate's last applied
     * seq, the events to apply are applied in seq order per aggregate, and what the batch decided is
     * written after.
     *
     * <p>When none of the batch's aggregates has an open message and none of the events it would
     * apply or hold has a row already (the common case, {@link #RECORDED_BEFORE}), an event applied
     * in order gets no row of its own: the batch's applied ids go into one {@code inbox_applied} row
     * and the aggregates advance, in one statement. A redelivery is then recognized by its seq.
     * Held events get their row. Three round trips (four with held events) and the commit, whatever
     * the number of events. Otherwise every event it would apply or hold is inserted into
     * {@code inbox_message} with its verdict before it is applied, and a message stored before
     * (its stored fate may differ from what the batch judged) stops the batch.
     *
     * <p>A message at or below its aggregate's applied seq is dropped (nothing stored changes).
     * Throws, and commits nothing, when the batch cannot be decided this way: the consumer failed on
     * one of the events, the database failed, one of the aggregates' rows was created meanwhile by
     * another transaction, or a message it would apply or hold was stored before. The caller then
     * takes the events one at a time ({@link #receive}).
     *
     * @param events distinct message ids
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public BatchResult receiveAll(InboxConsumer consumer, List<DeliveredEvent> events) {
        try (Connection connection = dataSource.getConnection()) {
            return receiveAll(connection, consumer, events);
        } catch (SQLException e) {
            throw new InboxStoreException("receiving a batch of " + events.size() + " for " + consumer.name(), e);
        }
    }

    /** {@link #receiveAll(InboxConsumer, List)} on {@code connection}, in its current transaction. */
    static BatchResult receiveAll(Connection connection, InboxConsumer consumer, List<DeliveredEvent> events)
            throws SQLException {
        String name = consumer.name();
        Map<AggregateRef, Long> last = lockAggregates(connection, name, events);
        List<AggregateRef> aggregates = List.copyOf(last.keySet());
        List<DeliveredEvent> ordered = new ArrayList<>(events);
        ordered.sort(Comparator.comparing(DeliveredEvent::aggregateType).thenComparing(DeliveredEvent::aggregateId)
                .thenComparingLong(DeliveredEvent::aggregateSeq));
        Map<UUID, Verdict> verdicts = new LinkedHashMap<>();
        Map<AggregateRef, DeliveredEvent> lastApplied = new LinkedHashMap<>();
        List<DeliveredEvent> toApply = new ArrayList<>();
        for (DeliveredEvent event : ordered) {
            AggregateRef aggregate = AggregateRef.of(event);
            long applied = last.get(aggregate);
            Verdict verdict;
            if (event.aggregateSeq() <= applied) {
                verdict = Verdict.DUPLICATE;
            } else if (event.aggregateSeq() > applied + 1) {
                verdict = Verdict.HELD;
            } else {
                verdict = Verdict.APPLIED;
                last.put(aggregate, event.aggregateSeq());
                lastApplied.put(aggregate, event);
                toApply.add(event);
            }
            verdicts.put(event.eventId(), verdict);
        }
        // a message at or below its aggregate's applied seq is settled already (a redelivery, a
        // replay): dropped, it is neither probed for nor inserted
        List<DeliveredEvent> recorded = ordered.stream()
                .filter(e -> verdicts.get(e.eventId()) != Verdict.DUPLICATE).toList();
        if (!recordedBefore(connection, name, aggregates, recorded.stream().map(DeliveredEvent::eventId).toList())) {
            for (DeliveredEvent event : toApply) {
                consumer.apply(event);
            }
            List<DeliveredEvent> held = ordered.stream().filter(e -> verdicts.get(e.eventId()) == Verdict.HELD).toList();
            requireNew(name, held, insertJudged(connection, name, held, verdicts));
            recordInOrder(connection, name, toApply, lastApplied);
            // a held successor of what was applied would be open, and none is
            return new BatchResult(verdicts, toApply.size(), List.of());
        }
        // a message stored before (open, or discarded by an operator) may have a fate this batch
        // did not judge from
        requireNew(name, recorded, insertJudged(connection, name, recorded, verdicts));
        for (DeliveredEvent event : toApply) {
            consumer.apply(event);
        }
        List<DeliveredEvent> withHeldSuccessor = advanceAll(connection, name, lastApplied);
        return new BatchResult(verdicts, toApply.size(), withHeldSuccessor);
    }

    /** Stops the batch when one of {@code events} was stored before (its id was not inserted). */
    private static void requireNew(String consumer, List<DeliveredEvent> events, Set<UUID> inserted) {
        for (DeliveredEvent event : events) {
            if (!inserted.contains(event.eventId())) {
                throw new IllegalStateException("a batch for " + consumer + " holds message " + event.eventId()
                        + ", stored before (open, or discarded by an operator); it is taken one message at a time");
            }
        }
    }

    /** Whether one of {@code aggregates} has an open message or one of {@code ids} a row ({@link #RECORDED_BEFORE}). */
    static boolean recordedBefore(Connection connection, String consumer, List<AggregateRef> aggregates, List<UUID> ids)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(RECORDED_BEFORE)) {
            select.setArray(1, connection.createArrayOf("text", aggregates.stream().map(AggregateRef::type).toArray()));
            select.setArray(2, connection.createArrayOf("text", aggregates.stream().map(AggregateRef::id).toArray()));
            select.setString(3, consumer);
            select.setString(4, consumer);
            select.setArray(5, connection.createArrayOf("uuid", ids.toArray()));
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getBoolean(1);
            }
        }
    }

    /** Records {@code applied}'s ids in one row and advances their aggregates ({@link #RECORD_IN_ORDER}). */
    static void recordInOrder(Connection connection, String consumer, List<DeliveredEvent> applied,
                              Map<AggregateRef, DeliveredEvent> lastApplied) throws SQLException {
        if (applied.isEmpty()) {
            return;
        }
        List<AggregateRef> aggregates = new ArrayList<>(lastApplied.keySet());
        try (PreparedStatement record = connection.prepareStatement(RECORD_IN_ORDER)) {
            record.setString(1, consumer);
            record.setArray(2, connection.createArrayOf("uuid", applied.stream().map(DeliveredEvent::eventId).toArray()));
            record.setArray(3, connection.createArrayOf("text", aggregates.stream().map(AggregateRef::type).toArray()));
            record.setArray(4, connection.createArrayOf("text", aggregates.stream().map(AggregateRef::id).toArray()));
            record.setArray(5, connection.createArrayOf("int8",
                    aggregates.stream().map(a -> lastApplied.get(a).aggregateSeq()).toArray()));
            record.setString(6, consumer);
            record.executeUpdate();
        }
    }

    /**
     * What {@link #receiveAll} committed.
     *
     * @param verdicts          per message id
     * @param applied           how many events were applied
     * @param withHeldSuccessor per aggregate advanced, its last applied event, when a held event
     *                          follows it (to be applied next, see {@link InboxProcessing#applySuccessors})
     */
    public record BatchResult(Map<UUID, Verdict> verdicts, int applied, List<DeliveredEvent> withHeldSuccessor) {
    }

    /** An aggregate's key. */
    record AggregateRef(String type, String id) {
        static AggregateRef of(DeliveredEvent event) {
            return new AggregateRef(event.aggregateType(), event.aggregateId());
        }
    }

    /**
     * Locks the rows of the events' aggregates ({@link #LOCK_AGGREGATES}, one round trip, in key
     * order; a missing row is created at 0) and returns each one's last applied seq. Throws when a
     * row appeared meanwhile (another transaction created it after the statement began): the batch
     * is then taken one message at a time.
     */
    static Map<AggregateRef, Long> lockAggregates(Connection connection, String consumer,
                                                  List<DeliveredEvent> events) throws SQLException {
        TreeSet<AggregateRef> aggregates = new TreeSet<>(Comparator.comparing(AggregateRef::type).thenComparing(AggregateRef::id));
        events.forEach(event -> aggregates.add(AggregateRef.of(event)));
        Map<AggregateRef, Long> last = new HashMap<>();
        try (PreparedStatement lock = connection.prepareStatement(LOCK_AGGREGATES)) {
            lock.setArray(1, connection.createArrayOf("text", aggregates.stream().map(AggregateRef::type).toArray()));
            lock.setArray(2, connection.createArrayOf("text", aggregates.stream().map(AggregateRef::id).toArray()));
            lock.setString(3, consumer);
            lock.setString(4, consumer);
            try (ResultSet rows = lock.executeQuery()) {
                while (rows.next()) {
                    last.put(new AggregateRef(rows.getString(1), rows.getString(2)), rows.getLong(3));
                }
            }
        }
        if (last.size() != aggregates.size()) {
            throw new IllegalStateException("a batch for " + consumer + " found " + (aggregates.size() - last.size())
                    + " of its aggregates created by another transaction meanwhile; it is taken one message at a time");
        }
        return last;
    }

    /** Inserts the batch's messages with their verdicts; returns the ids inserted (not received before). */
    private static Set<UUID> insertJudged(Connection connection, String consumer, List<DeliveredEvent> events,
                                          Map<UUID, Verdict> verdicts) throws SQLException {
        int size = events.size();
        if (size == 0) {
            return Set.of();
        }
        Object[] ids = new Object[size];
        Object[] types = new Object[size];
        Object[] aggregateIds = new Object[size];
        Object[] seqs = new Object[size];
        Object[] eventTypes = new Object[size];
        Object[] occurred = new Object[size];
        Object[] payloads = new Object[size];
        Object[] statuses = new Object[size];
        for (int i = 0; i < size; i++) {
            DeliveredEvent event = events.get(i);
            ids[i] = event.eventId().toString();
            types[i] = event.aggregateType();
            aggregateIds[i] = event.aggregateId();
            seqs[i] = event.aggregateSeq();
            eventTypes[i] = event.eventType();
            occurred[i] = event.occurredAt().toString();
            Verdict verdict = verdicts.get(event.eventId());
            payloads[i] = verdict == Verdict.HELD ? event.payloadJson() : null; // only a held event is read again
            statuses[i] = switch (verdict) {
                case APPLIED -> "applied";
                case DUPLICATE -> "duplicate";
                case HELD -> "held";
                case WAITING -> throw new IllegalStateException("a received event is never waiting");
            };
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT_JUDGED)) {
            insert.setString(1, consumer);
            insert.setArray(2, connection.createArrayOf("text", ids));
            insert.setArray(3, connection.createArrayOf("text", types));
            insert.setArray(4, connection.createArrayOf("text", aggregateIds));
            insert.setArray(5, connection.createArrayOf("int8", seqs));
            insert.setArray(6, connection.createArrayOf("text", eventTypes));
            insert.setArray(7, connection.createArrayOf("text", occurred));
            insert.setArray(8, connection.createArrayOf("text", payloads));
            insert.setArray(9, connection.createArrayOf("text", statuses));
            Set<UUID> inserted = new HashSet<>();
            try (ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    inserted.add(rows.getObject(1, UUID.class));
                }
            }
            return inserted;
        }
    }

    /**
     * Moves each aggregate to its last applied event ({@link #ADVANCE_ALL}, one round trip);
     * returns those of them a held event follows.
     */
    static List<DeliveredEvent> advanceAll(Connection connection, String consumer,
                                           Map<AggregateRef, DeliveredEvent> lastApplied) throws SQLException {
        List<DeliveredEvent> withHeldSuccessor = new ArrayList<>();
        if (lastApplied.isEmpty()) {
            return withHeldSuccessor;
        }
        List<AggregateRef> aggregates = new ArrayList<>(lastApplied.keySet());
        try (PreparedStatement advance = connection.prepareStatement(ADVANCE_ALL)) {
            advance.setArray(1, connection.createArrayOf("text", aggregates.stream().map(AggregateRef::type).toArray()));
            advance.setArray(2, connection.createArrayOf("text", aggregates.stream().map(AggregateRef::id).toArray()));
            advance.setArray(3, connection.createArrayOf("int8",
                    aggregates.stream().map(a -> lastApplied.get(a).aggregateSeq()).toArray()));
            advance.setString(4, consumer);
            advance.setString(5, consumer);
            try (ResultSet rows = advance.executeQuery()) {
                while (rows.next()) {
                    withHeldSuccessor.add(lastApplied.get(new AggregateRef(rows.getString(1), rows.getString(2))));
                }
            }
        }
        return withHeldSuccessor;
    }

    /**
     * Tries a stored event (held, or due for its next attempt) again: applies it if it is its
     * aggregate's next. Throws whatever the consumer throws.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Verdict applyStored(InboxConsumer consumer, UUID messageId) {
        try (Connection connection = dataSource.getConnection()) {
            Optional<Stored> stored = stored(connection, consumer.name(), messageId);
            if (stored.isEmpty() || !List.of("held", "retry").contains(stored.get().status())) {
                return Verdict.WAITING;
            }
            return judge(connection, consumer, stored.get().event());
        } catch (SQLException e) {
            throw new InboxStoreException("applying " + messageId + " for " + consumer.name(), e);
        }
    }

    private Verdict judge(Connection connection, InboxConsumer consumer, DeliveredEvent event) throws SQLException {
        String name = consumer.name();
        long last = lockAggregate(connection, name, event.aggregateType(), event.aggregateId());
        if (event.aggregateSeq() <= last) {
            setStatus(connection, name, event.eventId(), "duplicate");
            return Verdict.DUPLICATE;
        }
        if (event.aggregateSeq() > last + 1) {
            setStatus(connection, name, event.eventId(), "held");
            return Verdict.HELD;
        }
        consumer.apply(event);
        setStatus(connection, name, event.eventId(), "applied");
        advance(connection, name, event.aggregateType(), event.aggregateId(), event.aggregateSeq());
        return Verdict.APPLIED;
    }

    /** What {@link #failed} recorded. */
    public enum FailureRecord {
        /** The event waits for its next attempt. */
        RETRY,
        /** The event failed its last attempt: parked until an operator acts. */
        PARKED,
        /**
         * Nothing to try again: the event was settled or parked already, or its aggregate has
         * applied it meanwhile (another instance took its redelivery), and it is settled as a
         * duplicate now.
         */
        NOTHING
    }

    /**
     * Records a failed application: the event waits for its next attempt (after {@code initial},
     * doubling per attempt up to {@code max}), or is parked once it has failed {@code maxAttempts}
     * times. The event's row is written first and its aggregate locked after it, in the order of
     * every step on one message; an event its aggregate has applied meanwhile is then settled as
     * a duplicate instead.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public FailureRecord failed(String consumer, DeliveredEvent event, String error, Duration initial, Duration max,
                                int maxAttempts) {
        try (Connection connection = dataSource.getConnection()) {
            return failed(connection, consumer, event, error, initial, max, maxAttempts);
        } catch (SQLException e) {
            throw new InboxStoreException("recording the failure of " + event.eventId() + " for " + consumer, e);
        }
    }

    /** {@link #failed(String, DeliveredEvent, String, Duration, Duration, int)} on {@code connection}. */
    static FailureRecord failed(Connection connection, String consumer, DeliveredEvent event, String error,
                                Duration initial, Duration max, int maxAttempts) throws SQLException {
        String status;
        try (PreparedStatement failed = connection.prepareStatement(FAILED)) {
            int i = bindEvent(failed, consumer, event);
            failed.setInt(++i, maxAttempts);
            failed.setLong(++i, initial.toMillis());
            failed.setString(++i, error);
            failed.setInt(++i, maxAttempts);
            failed.setLong(++i, max.toMillis());
            failed.setLong(++i, initial.toMillis());
            try (ResultSet row = failed.executeQuery()) {
                if (!row.next()) {
                    return FailureRecord.NOTHING; // settled or parked already: left as it is
                }
                status = row.getString(2);
            }
        }
        if (event.aggregateSeq() <= lockAggregate(connection, consumer, event.aggregateType(), event.aggregateId())) {
            setStatus(connection, consumer, event.eventId(), "duplicate");
            return FailureRecord.NOTHING;
        }
        return "parked".equals(status) ? FailureRecord.PARKED : FailureRecord.RETRY;
    }

    /** The held event that follows {@code applied} in its aggregate, if one is stored. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<UUID> nextHeld(String consumer, DeliveredEvent applied) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement next = connection.prepareStatement(NEXT_HELD)) {
            next.setString(1, consumer);
            next.setString(2, applied.aggregateType());
            next.setString(3, applied.aggregateId());
            next.setLong(4, applied.aggregateSeq() + 1);
            try (ResultSet row = next.executeQuery()) {
                return row.next() ? Optional.of(row.getObject(1, UUID.class)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new InboxStoreException("looking for the successor of " + applied.eventId(), e);
        }
    }

    static final String STRANDED = """
            SELECT m.consumer, m.message_id FROM inbox_message m
              JOIN inbox_aggregate a ON a.consumer = m.consumer AND a.aggregate_type = m.aggregate_type
                                    AND a.aggregate_id = m.aggregate_id
             WHERE m.status = 'held' AND m.aggregate_seq = a.last_applied_seq + 1
             LIMIT ?
            """;

    /**
     * Held events whose predecessor is applied: normally applied right after it, left over only
     * when that step failed (the database went away between the two transactions).
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<Due> stranded(int limit) {
        return dues(STRANDED, limit, "looking for stranded held events");
    }

    /** Stored events whose next attempt is due, in aggregate order: (consumer, message id). */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<Due> due(int limit) {
        return dues(DUE, limit, "looking for due retries");
    }

    /** (consumer, message id) rows of {@code sql}, which takes the limit as its one parameter. */
    private List<Due> dues(String sql, int limit, String what) {
        List<Due> dues = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            select.setInt(1, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    dues.add(new Due(rows.getString(1), rows.getObject(2, UUID.class)));
                }
            }
        } catch (SQLException e) {
            throw new InboxStoreException(what, e);
        }
        return dues;
    }

    /** The stored event with this id, if any. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<DeliveredEvent> event(String consumer, UUID messageId) {
        try (Connection connection = dataSource.getConnection()) {
            return stored(connection, consumer, messageId).map(Stored::event);
        } catch (SQLException e) {
            throw new InboxStoreException("reading " + messageId, e);
        }
    }

    static final String DELETE_SETTLED = """
            DELETE FROM inbox_message WHERE ctid IN (
                SELECT ctid FROM inbox_message
                 WHERE status IN ('applied', 'duplicate', 'skipped')
                   AND settled_at < now() - make_interval(secs => ?)
                 LIMIT ?)
            """;

    static final String DELETE_APPLIED_BATCHES = """
            DELETE FROM inbox_applied WHERE ctid IN (
                SELECT ctid FROM inbox_applied
                 WHERE applied_at < now() - make_interval(secs => ?)
                 LIMIT ?)
            """;

    /**
     * Deletes settled message ids older than {@code age}: up to {@code chunk} rows of
     * {@code inbox_message} and up to {@code chunk} rows (batches of ids) of {@code inbox_applied}.
     *
     * @return the larger of the two numbers of rows deleted
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int deleteSettled(Duration age, int chunk) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement messages = connection.prepareStatement(DELETE_SETTLED);
             PreparedStatement batches = connection.prepareStatement(DELETE_APPLIED_BATCHES)) {
            int deleted = 0;
            for (PreparedStatement delete : List.of(messages, batches)) {
                delete.setLong(1, age.toSeconds());
                delete.setInt(2, chunk);
                deleted = Math.max(deleted, delete.executeUpdate());
            }
            return deleted;
        } catch (SQLException e) {
            throw new InboxStoreException("deleting settled inbox messages", e);
        }
    }

    static final String RELEASE_PARKED = """
            UPDATE inbox_message SET status = 'retry', attempts = 0, next_attempt_at = now(), last_error = NULL
             WHERE consumer = ? AND message_id = ? AND status = 'parked'
            """;

    /**
     * Makes a parked event due again now, its attempts starting over.
     *
     * @return false when it is not parked
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean releaseParked(String consumer, UUID messageId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(RELEASE_PARKED)) {
            update.setString(1, consumer);
            update.setObject(2, messageId);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new InboxStoreException("releasing " + messageId, e);
        }
    }

    /**
     * Gives up a parked or retrying event: marked skipped; if it is its aggregate's next, the
     * aggregate's applied seq moves past it.
     *
     * @return the event, or empty when it is neither parked nor retrying
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<DeliveredEvent> discard(String consumer, UUID messageId) {
        try (Connection connection = dataSource.getConnection()) {
            Optional<Stored> stored = stored(connection, consumer, messageId);
            if (stored.isEmpty() || !List.of("parked", "retry").contains(stored.get().status())) {
                return Optional.empty();
            }
            DeliveredEvent event = stored.get().event();
            long last = lockAggregate(connection, consumer, event.aggregateType(), event.aggregateId());
            setStatus(connection, consumer, messageId, "skipped");
            if (event.aggregateSeq() == last + 1) {
                advance(connection, consumer, event.aggregateType(), event.aggregateId(), event.aggregateSeq());
            }
            return Optional.of(event);
        } catch (SQLException e) {
            throw new InboxStoreException("discarding " + messageId, e);
        }
    }

    /**
     * Skips an aggregate's gap: when its lowest held event is beyond the next seq, the applied seq
     * moves to just before it.
     *
     * @return the skipped seqs {from, to}, or empty when there is no such gap
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<long[]> skipGap(String consumer, String aggregateType, String aggregateId) {
        try (Connection connection = dataSource.getConnection()) {
            long last = lockAggregate(connection, consumer, aggregateType, aggregateId);
            long lowestHeld;
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT min(aggregate_seq) FROM inbox_message
                     WHERE consumer = ? AND aggregate_type = ? AND aggregate_id = ? AND status = 'held'""")) {
                select.setString(1, consumer);
                select.setString(2, aggregateType);
                select.setString(3, aggregateId);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    lowestHeld = row.getLong(1);
                    if (row.wasNull() || lowestHeld <= last + 1) {
                        return Optional.empty();
                    }
                }
            }
            advance(connection, consumer, aggregateType, aggregateId, lowestHeld - 1);
            return Optional.of(new long[] {last + 1, lowestHeld - 1});
        } catch (SQLException e) {
            throw new InboxStoreException("skipping a gap of " + aggregateType + "/" + aggregateId, e);
        }
    }

    /** A stored event whose next attempt is due. */
    public record Due(String consumer, UUID messageId) {
    }

    private record Stored(DeliveredEvent event, String status) {
    }

    private static boolean insertReceived(Connection connection, String consumer, DeliveredEvent event)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT_RECEIVED)) {
            bindEvent(insert, consumer, event);
            return insert.executeUpdate() == 1;
        }
    }

    private static int bindEvent(PreparedStatement statement, String consumer, DeliveredEvent event) throws SQLException {
        statement.setString(1, consumer);
        statement.setObject(2, event.eventId());
        statement.setString(3, event.aggregateType());
        statement.setString(4, event.aggregateId());
        statement.setLong(5, event.aggregateSeq());
        statement.setString(6, event.eventType());
        statement.setTimestamp(7, Timestamp.from(event.occurredAt()));
        statement.setString(8, event.payloadJson());
        return 8;
    }

    static long lockAggregate(Connection connection, String consumer, String type, String id) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(LOCK_AGGREGATE)) {
            lock.setString(1, consumer);
            lock.setString(2, type);
            lock.setString(3, id);
            try (ResultSet row = lock.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    static void setStatus(Connection connection, String consumer, UUID messageId, String status) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(SET_STATUS)) {
            update.setString(1, status);
            update.setBoolean(2, List.of("applied", "duplicate", "skipped").contains(status));
            // applied and duplicate messages are kept only to be recognized again
            update.setBoolean(3, List.of("applied", "duplicate").contains(status));
            update.setString(4, consumer);
            update.setObject(5, messageId);
            update.executeUpdate();
        }
    }

    static void advance(Connection connection, String consumer, String type, String id, long seq) throws SQLException {
        try (PreparedStatement advance = connection.prepareStatement(ADVANCE)) {
            advance.setLong(1, seq);
            advance.setString(2, consumer);
            advance.setString(3, type);
            advance.setString(4, id);
            advance.executeUpdate();
        }
    }

    private static Optional<Stored> stored(Connection connection, String consumer, UUID messageId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(STORED)) {
            select.setString(1, consumer);
            select.setObject(2, messageId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                DeliveredEvent event = new DeliveredEvent(row.getObject(1, UUID.class), row.getString(2), row.getString(3),
                        row.getLong(4), row.getString(5), row.getTimestamp(6).toInstant(), row.getString(7));
                return Optional.of(new Stored(event, row.getString(8)));
            }
        }
    }
}
