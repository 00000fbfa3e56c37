package io.demandcast.model.cli;

import io.demandcast.model.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/** Draws training progress on one console line: epoch, train loss and validation loss; a line end when done. */
public final class ProgressBar implements TrainingListener {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private boolean open;

    public ProgressBar(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void onEpoch(int epoch, int maxEpochs, double trainLoss, double validationLoss) {
        int filled = maxEpochs <= 0 ? WIDTH : Math.min(WIDTH, (int) Math.round((double) WIDTH * epoch / maxEpochs));
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        out.print(String.format(Locale.ROOT, "\r[%s] epoch %d/%d  loss %.5f  val_loss %s", bar, epoch, maxEpochs,
                trainLoss, Double.isNaN(validationLoss) ? "n/a" : String.format(Locale.ROOT, "%.5f",
                        validationLoss)));
        out.flush();
        open = true;
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
