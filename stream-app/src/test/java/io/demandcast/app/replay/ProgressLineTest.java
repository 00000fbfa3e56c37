package io.demandcast.app.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The progress of {@code produce}: redrawn in place on a terminal, plain lines in a log. */
class ProgressLineTest {

    private static final Instant T = Instant.parse("2011-01-03T10:00:00Z");

    private static String run(boolean terminal) {
        StringWriter out = new StringWriter();
        ProduceCommand.ProgressLine line = new ProduceCommand.ProgressLine(new PrintWriter(out, true), terminal);
        line.sent(10, T, Duration.ofSeconds(1));
        line.sent(2_000, T.plusSeconds(60), Duration.ofSeconds(2));
        line.finish();
        return out.toString();
    }

    @Test
    void intoALogTheProgressIsPlainLinesWithoutCarriageReturns() {
        String log = run(false);
        assertThat(log).doesNotContain("\r");
        // The first report and the last; the one in between came within ten seconds of the first.
        assertThat(log.lines().toList()).hasSize(2).last().asString()
                .contains("2,000 orders").contains("1,000/s").contains("2011-01-03T10:01:00Z");
    }

    @Test
    void onATerminalTheProgressIsOneLineRedrawnInPlace() {
        String screen = run(true);
        assertThat(screen).startsWith("\r").contains("\r       2,000 orders");
        // String.lines() would split at the carriage returns too: count the newlines.
        assertThat(screen.chars().filter(c -> c == '\n').count()).isEqualTo(1);
    }
}
