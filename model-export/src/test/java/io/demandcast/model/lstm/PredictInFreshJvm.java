package io.demandcast.model.lstm;

import io.demandcast.model.SeriesHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run by {@link LstmExportTest} as a child process: loads an exported model in a JVM that never saw its training,
 * forecasts the synthetic series given by (series, days, seed) and writes the raw outputs, one float's bits per
 * line, so the parent can compare them bit for bit.
 */
public final class PredictInFreshJvm {

    private PredictInFreshJvm() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: PredictInFreshJvm MODEL_DIR OUT_FILE SERIES DAYS SEED");
            System.exit(2);
        }
        List<SeriesHistory> histories = SyntheticDemand.weekly(Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                Long.parseLong(args[4]));
        try (LstmModel model = LstmModel.load(Path.of(args[0]), 64, 1)) {
            float[] out = model.predict(model.encoder().encode(histories));
            StringBuilder text = new StringBuilder(model.version()).append('\n');
            for (float v : out) {
                text.append(Integer.toHexString(Float.floatToRawIntBits(v))).append('\n');
            }
            Files.writeString(Path.of(args[1]), text);
        }
    }
}
