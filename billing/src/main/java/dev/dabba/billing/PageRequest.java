package dev.dabba.billing;

import dev.dabba.record.Msisdn;
import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * Which page of a listing to read: at most {@code limit} items, after an opaque {@code cursor} from a previous page
 * (keyset paging, stable while bills are written) or after skipping {@code offset} items; not both.
 */
public record PageRequest(int limit, Optional<String> cursor, int offset) {

    /** The most items one page may hold. */
    public static final int MAX_LIMIT = 1000;
    /** The page size when none is given. */
    public static final int DEFAULT_LIMIT = 50;

    private static final String CURSOR_TAG = "b1";

    public PageRequest {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be within 1.." + MAX_LIMIT + ", was " + limit);
        }
        Objects.requireNonNull(cursor, "cursor must not be null (use Optional.empty())");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be non-negative, was " + offset);
        }
        if (cursor.isPresent() && offset > 0) {
            throw new IllegalArgumentException("cursor and offset cannot be used together; use one");
        }
        cursor.ifPresent(PageRequest::decode);
    }

    /** The first page of {@code limit} items. */
    public static PageRequest first(int limit) {
        return new PageRequest(limit, Optional.empty(), 0);
    }

    /** The cursor pointing after the bill of {@code subscriber} in {@code cycle}. */
    static String encode(YearMonth cycle, Msisdn subscriber) {
        String raw = CURSOR_TAG + "|" + cycle + "|" + subscriber.value();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The (cycle, subscriber) position a cursor stands for; throws naming the cursor if it is not one of ours. */
    static Position decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] parts = raw.split("\\|", -1);
            if (parts.length != 3 || !parts[0].equals(CURSOR_TAG)) {
                throw new IllegalArgumentException("bad tag");
            }
            return new Position(BillingCycle.parse(parts[1]), Msisdn.of(parts[2]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cursor is not one this store issued (pass nextCursor back as "
                    + "given), was '" + abbreviate(cursor) + "'", e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** A keyset position: the last item of the previous page. */
    record Position(YearMonth cycle, Msisdn subscriber) {
    }
}
