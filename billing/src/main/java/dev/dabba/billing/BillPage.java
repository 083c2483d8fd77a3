package dev.dabba.billing;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a bill listing, newest cycle first and then by subscriber, with the cursor of the next page if there
 * is one.
 */
public record BillPage(List<BillSummary> items, Optional<String> nextCursor) {

    public BillPage {
        items = List.copyOf(Objects.requireNonNull(items, "bill page items must not be null"));
        Objects.requireNonNull(nextCursor, "bill page nextCursor must not be null");
    }
}
