package dev.dabba.gateway.internal;

import dev.dabba.clock.Epoch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.WireFormatException;
import java.util.Optional;

/**
 * Decides which epoch announcements the relay may publish: only a newer epoch that extends the one announced
 * (higher number, member table extending the old one, base at least the old one's entry by entry), so that agents
 * never see the epoch go backwards. Among several acceptable epochs in one batch only the newest is published:
 * agents need the latest, and the retained message keeps one anyway.
 *
 * <p>The one exception is a newer {@linkplain Epoch#lineage() lineage} (a higher number and a higher lineage): a
 * billing job that lost every announced epoch opens one, and agents must hear it to move to it (they re-send what
 * they hold with full clocks). An epoch of an older lineage than the announced one is stale, like any older epoch.
 *
 * <p>Not thread-safe; one per relay task.
 */
public final class MonotoneEpochGate {

    /** What became of one offered announcement. */
    public enum Verdict {
        /** Newer and extends the announced epoch, or opens a newer lineage: it is now the pending one. */
        ADVANCE,
        /** Not newer than the announced (or pending) epoch: skipped, as on every replay. */
        STALE,
        /** Undecodable, or newer but not an extension of the announced epoch: dead-lettered. */
        REJECT
    }

    /** A verdict with the decoded epoch (null when undecodable) and, for rejections, why. */
    public record Decision(Verdict verdict, Epoch epoch, String reason) {
    }

    private final RecordCodec codec = RecordCodec.standard();
    private Epoch announced;
    private Epoch pending;

    /** Judges the announcement {@code bytes} against the announced and pending epochs. */
    public Decision offer(byte[] bytes) {
        Epoch e;
        try {
            e = codec.decodeEpoch(bytes);
        } catch (WireFormatException | IllegalArgumentException ex) {
            return new Decision(Verdict.REJECT, null, "malformed epoch announcement: " + ex.getMessage());
        }
        Epoch current = pending != null ? pending : announced;
        if (current == null) {
            pending = e;
            return new Decision(Verdict.ADVANCE, e, null);
        }
        if (e.number() <= current.number()) {
            return new Decision(Verdict.STALE, e, null);
        }
        if (e.lineage() > current.lineage()) {
            pending = e;
            return new Decision(Verdict.ADVANCE, e, null);
        }
        if (!current.precedes(e)) {
            return new Decision(Verdict.REJECT, e, "epoch " + e.number() + " does not extend epoch "
                    + current.number() + " (its member table must extend the old one and its base must not go "
                    + "back): " + e + " after " + current);
        }
        pending = e;
        return new Decision(Verdict.ADVANCE, e, null);
    }

    /** The newest acceptable epoch not yet published. */
    public Optional<Epoch> pending() {
        return Optional.ofNullable(pending);
    }

    /** The pending epoch was published: it is the announced one now. */
    public void published() {
        if (pending != null) {
            announced = pending;
            pending = null;
        }
    }

    /** Publishing failed: forget the pending epoch (the same records are offered again). */
    public void abandon() {
        pending = null;
    }

    /** Another relay or an earlier run announced {@code e} (the retained message): never publish older than it. */
    public void learnt(Epoch e) {
        if (announced == null || e.number() > announced.number()) {
            announced = e;
        }
    }

    /** The epoch announced, if any is known. */
    public Optional<Epoch> announced() {
        return Optional.ofNullable(announced);
    }
}
