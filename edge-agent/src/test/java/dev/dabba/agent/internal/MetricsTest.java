package dev.dabba.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.agent.internal.metrics.Metrics;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void prometheusText_hasHelpTypeAndSamples_perFamily() {
        Metrics m = new Metrics();
        m.counter("dabba_x_total", "Things.\nCounted.").add(3);
        m.counter("dabba_y_total", "By kind.", "kind=\"full\"").increment();
        m.counter("dabba_y_total", "By kind.", "kind=\"delta\"").add(2);
        m.gauge("dabba_z", "A gauge.", () -> 1.5);
        assertThat(m.prometheusText()).isEqualTo(""
                + "# HELP dabba_x_total Things.\\nCounted.\n"
                + "# TYPE dabba_x_total counter\n"
                + "dabba_x_total 3\n"
                + "# HELP dabba_y_total By kind.\n"
                + "# TYPE dabba_y_total counter\n"
                + "dabba_y_total{kind=\"delta\"} 2\n"
                + "dabba_y_total{kind=\"full\"} 1\n"
                + "# HELP dabba_z A gauge.\n"
                + "# TYPE dabba_z gauge\n"
                + "dabba_z 1.5\n");
        assertThat(m.value("dabba_y_total{kind=\"delta\"}")).isEqualTo(2);
    }

    @Test
    void counter_withTheSameNameAndLabels_isTheSameCounter() {
        Metrics m = new Metrics();
        m.counter("a_total", "A.").increment();
        m.counter("a_total", "A.").increment();
        assertThat(m.value("a_total")).isEqualTo(2);
    }
}
