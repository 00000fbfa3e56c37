package io.demandcast.model.cli;

import io.demandcast.model.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/** Draws training progress on one console line: epoch, train loss and validation loss; a line end when done. */
public final class ProgressBar implements TrainingListener {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private boolean open;
    private String member = "";

    public ProgressBar(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void onEpoch(int epoch, int maxEpochs, double trainLoss, double validationLoss) {
        out.print(String.format(Locale.ROOT, "\r%s[%s] epoch %d/%d  loss %.5f  val_loss %s", member,
                bar(epoch, maxEpochs), epoch, maxEpochs, trainLoss, Double.isNaN(validationLoss) ? "n/a"
                        : String.format(Locale.ROOT, "%.5f", validationLoss)));
        out.flush();
        open = true;
    }

    /** The refit gets a line of its own after the epochs, so the bar does not stand still while it runs. */
    @Override
    public void onRefitEpoch(int epoch, int epochs, double trainLoss) {
        if (epoch == 1) {
            finish();
        }
        out.print(String.format(Locale.ROOT, "\r%srefit on all windows [%s] epoch %d/%d  loss %.5f", member,
                bar(epoch, epochs), epoch, epochs, trainLoss));
        out.flush();
        open = true;
    }

    private static String bar(int epoch, int epochs) {
        int filled = epochs <= 0 ? WIDTH : Math.min(WIDTH, (int) Math.round((double) WIDTH * epoch / epochs));
        return "#".repeat(filled) + ".".repeat(WIDTH - filled);
    }

    /** Each member of an ensemble gets its own line, which says which member it is. */
    @Override
    public void onMember(int member, int members, long seed) {
        finish();
        this.member = String.format(Locale.ROOT, "member %d/%d ", member, members);
    }

    /** Ends the progress line, if one was drawn. */
    public void finish() {
        if (open) {
            out.println();
            out.flush();
            open = false;
        }
    }
}
