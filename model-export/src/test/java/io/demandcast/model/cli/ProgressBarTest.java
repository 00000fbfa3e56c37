package io.demandcast.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * The training progress line: epochs redraw one line, each ensemble member gets its own, named, and so does each
 * member's refit.
 */
class ProgressBarTest {

    @Test
    void eachMemberOfAnEnsembleGetsItsOwnLineThatSaysWhichMemberTrains() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), true);
        bar.onMember(1, 3, 42L);
        bar.onEpoch(1, 2, 0.5, 0.6);
        bar.onEpoch(2, 2, 0.4, 0.5);
        bar.onMember(2, 3, 7L);
        bar.onEpoch(1, 2, 0.45, 0.55);
        bar.finish();

        String[] lines = text.toString().split(System.lineSeparator());
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains("\rmember 1/3 [").endsWith("epoch 2/2  loss 0.40000  val_loss 0.50000");
        assertThat(lines[1]).startsWith("\rmember 2/3 [").contains("epoch 1/2  loss 0.45000");
    }

    @Test
    void theRefitDrawsALineOfItsOwnAfterTheEpochsSoTheBarDoesNotStandStill() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), true);
        bar.onMember(1, 2, 42L);
        bar.onEpoch(1, 4, 0.5, 0.6);
        bar.onRefitEpoch(1, 2, 0.45);
        bar.onRefitEpoch(2, 2, 0.42);
        bar.onMember(2, 2, 7L);
        bar.onEpoch(1, 4, 0.5, 0.6);
        bar.finish();

        String[] lines = text.toString().split(System.lineSeparator());
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).endsWith("epoch 1/4  loss 0.50000  val_loss 0.60000");
        String half = "#".repeat(15) + ".".repeat(15);
        assertThat(lines[1]).startsWith("\rmember 1/2 refit on all windows [" + half + "] epoch 1/2  loss 0.45000")
                .endsWith("\rmember 1/2 refit on all windows [" + "#".repeat(30) + "] epoch 2/2  loss 0.42000");
        assertThat(lines[2]).startsWith("\rmember 2/2 [");
    }

    @Test
    void aSingleNetworksLineNamesNoMember() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), true);
        bar.onEpoch(1, 4, 0.5, Double.NaN);
        bar.finish();

        assertThat(text.toString()).startsWith("\r[").doesNotContain("member").contains("val_loss n/a");
    }

    @Test
    void withoutATerminalItWritesPlainLinesAtTheFirstEveryTenthAndTheLastEpoch() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), false);
        bar.onMember(1, 2, 42L);
        for (int epoch = 1; epoch <= 25; epoch++) {
            bar.onEpoch(epoch, 25, 0.5, 0.6);
        }
        bar.onRefitEpoch(1, 3, 0.4);
        bar.onRefitEpoch(3, 3, 0.3);
        bar.finish();

        assertThat(text.toString()).doesNotContain("\r");
        assertThat(text.toString().split(System.lineSeparator())).extracting(l -> l.replaceAll(".*\\] ", ""))
                .containsExactly("epoch 1/25  loss 0.50000  val_loss 0.60000",
                        "epoch 10/25  loss 0.50000  val_loss 0.60000", "epoch 20/25  loss 0.50000  val_loss 0.60000",
                        "epoch 25/25  loss 0.50000  val_loss 0.60000", "epoch 1/3  loss 0.40000",
                        "epoch 3/3  loss 0.30000");
    }
}
