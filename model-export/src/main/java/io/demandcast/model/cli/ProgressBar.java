package io.demandcast.model.cli;

import io.demandcast.model.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Training progress: on a terminal, one line redrawn per epoch (epoch, train loss, validation loss), ended when
 * done; elsewhere (a log file, a pipe) plain lines, at the first epoch, every {@link #PLAIN_EVERY} epochs and the
 * last, with no carriage returns in the log.
 */
public final class ProgressBar implements TrainingListener {

    private static final int WIDTH = 30;
    /** Epochs between two plain lines. */
    static final int PLAIN_EVERY = 10;

    private final PrintWriter out;
    private final boolean redraw;
    private boolean open;
    private String member = "";

    /** Redraws one line when the process has a console (stdout and stdin a terminal), plain lines otherwise. */
    public ProgressBar(PrintWriter out) {
        this(out, System.console() != null);
    }

    public ProgressBar(PrintWriter out, boolean redraw) {
        this.out = out;
        this.redraw = redraw;
    }

    private void draw(int epoch, int epochs, String line) {
        if (redraw) {
            out.print("\r" + line);
            open = true;
        } else if (epoch == 1 || epoch == epochs || epoch % PLAIN_EVERY == 0) {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void onEpoch(int epoch, int maxEpochs, double trainLoss, double validationLoss) {
        draw(epoch, maxEpochs, String.format(Locale.ROOT, "%s[%s] epoch %d/%d  loss %.5f  val_loss %s", member,
                bar(epoch, maxEpochs), epoch, maxEpochs, trainLoss, Double.isNaN(validationLoss) ? "n/a"
                        : String.format(Locale.ROOT, "%.5f", validationLoss)));
    }

    /** The refit gets a line of its own after the epochs, so the bar does not stand still while it runs. */
    @Override
    public void onRefitEpoch(int epoch, int epochs, double trainLoss) {
        if (epoch == 1) {
            finish();
        }
        draw(epoch, epochs, String.format(Locale.ROOT, "%srefit on all windows [%s] epoch %d/%d  loss %.5f", member,
                bar(epoch, epochs), epoch, epochs, trainLoss));
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
