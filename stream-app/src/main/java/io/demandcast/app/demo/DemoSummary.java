package io.demandcast.app.demo;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a demo run did and how well its streamed forecasts did: the counts read back from the topics, the scores
 * of {@link DemoEvaluation}, and the report's place. {@link #text()} is what the console and
 * {@code summary.txt} show.
 *
 * @param modelVersion       the version in the forecasts the app made ({@code none} when it fell back)
 * @param modelSource        how the model came: trained here (with what) or loaded from a directory
 * @param products           the products trained on and scored
 * @param firstReplayed      event time of the first order replayed
 * @param lastReplayed       event time of the last order replayed
 * @param ordersSent         orders sent to the orders topic
 * @param replaySeconds      how long sending took
 * @param streamSeconds      from starting the app to the last closed bucket's forecasts being committed
 * @param deadLetters        dead letters on orders-dlq by reason
 * @param closedBuckets      buckets closed (seen on sales-actuals)
 * @param firstClosed        the first closed bucket
 * @param lastClosed         the last closed bucket
 * @param forecasts          forecasts committed
 * @param actuals            sales-actuals committed
 * @param methods            forecasts by method
 * @param duplicates         forecasts or actuals of a scored product committed twice for one bucket
 * @param incompleteBuckets  closed buckets whose forecast count differs from their actuals count
 * @param mismatchedActuals  product-days where sales-actuals differ from the file's own aggregation
 * @param comparedActuals    product-days compared
 * @param mismatchExamples   the first few mismatches, said in words
 * @param figures            the scores per method
 * @param origins            forecasts scored (product x origin)
 * @param firstTarget        the first bucket scored
 * @param lastTarget         the last bucket scored
 * @param replayFrom         the first bucket replayed
 * @param split              the first bucket the model never saw
 * @param reportDir          where the report is
 * @param whatIf             the what-if of the restock policy ({@link StockSimulation}) as text; null: none
 */
public record DemoSummary(String modelVersion, String modelSource, List<String> products, Instant firstReplayed,
                          Instant lastReplayed, long ordersSent, double replaySeconds, double streamSeconds,
                          Map<String, Long> deadLetters, int closedBuckets, Instant firstClosed, Instant lastClosed,
                          long forecasts, long actuals, Map<String, Long> methods, long duplicates,
                          List<Instant> incompleteBuckets, long mismatchedActuals, long comparedActuals,
                          List<String> mismatchExamples,
                          Map<String, DemoEvaluation.Figures> figures, int origins, Instant firstTarget,
                          Instant lastTarget, Instant replayFrom, Instant split, Path reportDir, String whatIf) {

    public long deadLetterCount() {
        return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The streamed forecasts' figures. */
    public DemoEvaluation.Figures streamed() {
        return figures.get(DemoEvaluation.STREAMED);
    }

    public DemoEvaluation.Figures seasonalNaive() {
        return figures.get(DemoEvaluation.SEASONAL_NAIVE);
    }

    /** A method's name for people: the streamed forecasts are named by the methods that made them. */
    public String label(String method) {
        if (method.equals(DemoEvaluation.STREAMED)) {
            return "streamed (" + String.join("+", methods.keySet()) + ")";
        }
        return method.replace('_', ' ');
    }

    /** One paragraph saying what was run. */
    public String story() {
        return String.format(Locale.ROOT, "The app replayed %,d orders (%s .. %s) as fast as it could process them, "
                        + "with model %s (%s). It closed %d daily buckets and published %,d forecasts. %d products "
                        + "are scored: %,d forecasts made after the split %s (never trained on), each with up to %d "
                        + "steps, against the actuals the app published later.",
                ordersSent, DemoReport.day(firstReplayed), DemoReport.day(lastReplayed), modelVersion, modelSource,
                closedBuckets, forecasts, products.size(), origins, DemoReport.day(split),
                streamed() == null ? 0 : streamed().maseByStep().length);
    }

    /** The summary as printed. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "  orders replayed   %,d (event time %s .. %s), sent in %.1f s; the app "
                        + "finished %.0f s after it started (%,.0f orders/s)%n", ordersSent,
                DemoReport.day(firstReplayed), DemoReport.day(lastReplayed), replaySeconds, streamSeconds,
                streamSeconds > 0 ? ordersSent / streamSeconds : 0.0));
        sb.append(String.format(Locale.ROOT, "  dead letters      %,d%s%n", deadLetterCount(), deadLetters.isEmpty() ? ""
                : " (" + deadLetters.entrySet().stream().map(e -> e.getKey() + " " + String.format(Locale.ROOT,
                "%,d", e.getValue())).collect(Collectors.joining(", ")) + ")"));
        sb.append(String.format(Locale.ROOT, "  buckets closed    %d (%s .. %s); forecasts %,d (%s); sales-actuals "
                        + "%,d%n", closedBuckets, firstClosed == null ? "-" : DemoReport.day(firstClosed),
                lastClosed == null ? "-" : DemoReport.day(lastClosed), forecasts,
                methods.entrySet().stream().map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d",
                        e.getValue())).collect(Collectors.joining(", ")), actuals));
        sb.append(String.format(Locale.ROOT, "  exactly once      %d duplicates among the scored products; %s%n",
                duplicates, incompleteBuckets.isEmpty() ? "every closed bucket has one forecast per actual"
                        : incompleteBuckets.size() + " buckets whose forecasts and actuals differ in number: "
                        + incompleteBuckets.stream().limit(5).map(DemoReport::day).toList()));
        sb.append(String.format(Locale.ROOT, "  actuals vs file   sales-actuals equal the file's own aggregation on "
                + "%,d of %,d product-days of the scored products%n", comparedActuals - mismatchedActuals,
                comparedActuals));
        if (!mismatchExamples.isEmpty()) {
            sb.append("                    differ: ").append(String.join("; ", mismatchExamples)).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "  scored            %d products, %,d forecasts made after %s .. %s, "
                        + "targets %s .. %s%n", products.size(), origins, DemoReport.day(split.minusSeconds(86_400)),
                lastTarget == null ? "-" : DemoReport.day(lastTarget.minusSeconds(86_400)),
                firstTarget == null ? "-" : DemoReport.day(firstTarget),
                lastTarget == null ? "-" : DemoReport.day(lastTarget)));
        sb.append(String.format(Locale.ROOT, "  %-24s %8s %8s %10s %10s %7s %7s %8s%n", "method", "products", "points",
                "MASE mean", "MASE med", "WAPE", "bias", "P10-P90"));
        for (DemoEvaluation.Figures f : figures.values()) {
            sb.append(String.format(Locale.ROOT, "  %-24s %8d %,8d %10.3f %10.3f %7.3f %7.3f %8.3f%n",
                    label(f.method()), f.products(), f.points(), f.maseMean(), f.maseMedian(), f.wape(), f.bias(),
                    f.coverage()));
        }
        DemoEvaluation.Figures s = streamed();
        DemoEvaluation.Figures n = seasonalNaive();
        if (s != null && n != null && s.maseByStep().length > 0) {
            int last = s.maseByStep().length - 1;
            sb.append(String.format(Locale.ROOT, "  MASE by step      step 1: %.3f vs %.3f; step %d: %.3f vs %.3f "
                            + "(streamed vs seasonal naive)%n", s.maseByStep()[0], n.maseByStep()[0], last + 1,
                    s.maseByStep()[last], n.maseByStep()[last]));
        }
        if (whatIf != null) {
            sb.append(whatIf);
        }
        if (reportDir != null) {
            sb.append("  report            ").append(reportDir.resolve("report.html")).append('\n');
        }
        return sb.toString();
    }
}
