package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.billing.internal.LineHash;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LineHashTest {

    private static final Bill SEED = SeedScenario.bill(1);

    @Test
    void equalLines_hashAlike_inEveryProcess() {
        // Pinned: a stored hash must mean the same line after a restart or an upgrade that changes no line's content
        // (a changed value costs only a rewrite of each bill's lines, but would show that something is not stable).
        BillLine first = SEED.lines().get(0);
        assertThat(LineHash.of(first)).isEqualTo(LineHash.of(SeedScenario.bill(2).lines().get(0)));
        assertThat(LineHash.of(first)).isEqualTo(6_605_132_685_977_092_563L);
    }

    @Test
    void everyStoredFieldOfALine_changesItsHash() {
        BillLine line = SEED.lines().get(1); // BKC's data session: one segment
        RatedLine r = line.rated();
        RatedSegment s = r.segments().get(0);
        List<BillLine> variants = new ArrayList<>();
        variants.add(line);
        variants.add(new BillLine(line.position() + 1, r, line.concurrent(), line.missingDependencies(),
                line.cloneSuspect()));
        variants.add(new BillLine(line.position(), r, !line.concurrent(), line.missingDependencies(),
                line.cloneSuspect()));
        variants.add(new BillLine(line.position(), r, line.concurrent(), "MUMBAI_BKC:1-1", line.cloneSuspect()));
        variants.add(new BillLine(line.position(), r, line.concurrent(), line.missingDependencies(),
                !line.cloneSuspect()));
        RatedSegment repriced = new RatedSegment(s.offset(), s.quantity(), s.charged(), s.pulses(), s.window(),
                s.tierFrom(), s.price().add(BigDecimal.ONE), s.unit(), s.bundle(), s.bundleUsed(), s.connectFee(),
                s.exactPaisa(), s.amount());
        variants.add(new BillLine(line.position(), new RatedLine(r.eventId(), r.tower(), r.start(), r.clock(), r.hlc(),
                r.service(), r.quantity(), r.counterparty(), List.of(repriced), r.exactPaisa(), r.amount()),
                line.concurrent(), line.missingDependencies(), line.cloneSuspect()));
        variants.add(new BillLine(line.position(), new RatedLine(r.eventId(), r.tower(), r.start(), r.clock(), r.hlc(),
                r.service(), r.quantity(), r.counterparty(), List.of(s), r.exactPaisa().setScale(
                r.exactPaisa().scale() + 1), r.amount()), line.concurrent(), line.missingDependencies(),
                line.cloneSuspect()));
        variants.add(new BillLine(line.position(), new RatedLine(r.eventId(), r.tower(), r.start().plusMillis(1000),
                r.clock(), r.hlc(), r.service(), r.quantity(), r.counterparty(), List.of(s), r.exactPaisa(),
                r.amount()), line.concurrent(), line.missingDependencies(), line.cloneSuspect()));

        Set<Long> hashes = new HashSet<>();
        variants.forEach(v -> hashes.add(LineHash.of(v)));

        assertThat(hashes).hasSize(variants.size());
    }

    @Test
    void theSeedBillsLines_allHashApart() {
        Set<Long> hashes = new HashSet<>();
        SEED.lines().forEach(l -> hashes.add(LineHash.of(l)));

        assertThat(hashes).hasSize(SEED.lines().size());
    }
}
