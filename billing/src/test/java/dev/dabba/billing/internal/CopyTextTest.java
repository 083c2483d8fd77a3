package dev.dabba.billing.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CopyTextTest {

    @Test
    void rowsAreTabSeparatedFieldsEndedByANewline() {
        CopyText rows = new CopyText().text("a").number(7).bool(true).endRow().bool(false).number(-3L).endRow();

        assertThat(rows.text()).isEqualTo("a\t7\tt\nf\t-3\n");
        assertThat(rows.rows()).isEqualTo(2);
    }

    @Test
    void nullIsBackslashN_andABackslashNInTextIsEscaped() {
        CopyText rows = new CopyText().text(null).number((Long) null).decimal(null).text("\\N").endRow();

        assertThat(rows.text()).isEqualTo("\\N\t\\N\t\\N\t\\\\N\n");
    }

    @Test
    void tabNewlineCarriageReturnAndBackslashAreEscaped() {
        CopyText rows = new CopyText().text("x\ty\nz\rw\\v").endRow();

        assertThat(rows.text()).isEqualTo("x\\ty\\nz\\rw\\\\v\n");
    }

    @Test
    void decimalsAreWrittenInFull_neverInExponentForm() {
        CopyText rows = new CopyText().decimal(new BigDecimal("1E+3")).decimal(new BigDecimal("0.000000125"))
                .decimal(new BigDecimal("12.50")).endRow();

        assertThat(rows.text()).isEqualTo("1000\t0.000000125\t12.50\n");
    }

    @Test
    void instantsAreIsoUtc() {
        assertThat(new CopyText().instant(Instant.parse("2025-03-01T04:30:00Z")).endRow().text())
                .isEqualTo("2025-03-01T04:30:00Z\n");
    }

    @Test
    void anUnendedRowIsNotText() {
        CopyText rows = new CopyText().text("a");

        assertThatThrownBy(rows::text).isInstanceOf(IllegalStateException.class).hasMessageContaining("not ended");
    }
}
