package io.demandcast.app.demo;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a demo run did and how well the replay's forecasts did: what was produced and replayed, the counts read back
 * from the replay's topics, the scores of {@link DemoEvaluation}, and the report's place. {@link #text()} is what the
 * console and {@code summary.txt} show.
 *
 * @param modelVersion       the version that served the replay ({@code none} when it fell back)
 * @param modelSource        how the model came: trained here (with what) or loaded from a directory
 * @param products           the products trained on and scored
 * @param produced           what the produce step sent
 * @param replayed           what the replay read and what it left
 * @param deadLetters        dead letters on the replay's orders-dlq by reason
 * @param closedBuckets      buckets closed up to {@code lastClosed} (seen on sales-actuals)
 * @param firstClosed        the first closed bucket
 * @param lastClosed         the last bucket scored: the last the replay closed, at most the last one it was asked for
 * @param forecasts          forecasts committed
 * @param actuals            sales-actuals committed
 * @param methods            forecasts by method
 * @param duplicates         forecasts or actuals committed twice for one series and bucket
 * @param incompleteBuckets  scored origins whose number of forecasts differs from their number of actuals
 * @param mismatchedActuals  product-days where sales-actuals differ from the file's own aggregation
 * @param comparedActuals    product-days compared
 * @param mismatchExamples   the first few mismatches, said in words
 * @param figures            the scores per method
 * @param origins            forecasts scored (product x origin)
 * @param firstTarget        the first bucket scored
 * @param lastTarget         the last bucket scored
 * @param split              the first bucket the model never saw
 * @param reportDir          where the report is
 * @param whatIf             the what-if of the restock policy ({@link StockSimulation}) as text; null: none
 */
public record DemoSummary(String modelVersion, String modelSource, List<String> products, Produced produced,
                          Replayed replayed, Map<String, Long> deadLetters, int closedBuckets, Instant firstClosed,
                          Instant lastClosed, long forecasts, long actuals, Map<String, Long> methods,
                          long duplicates, List<Instant> incompleteBuckets, long mismatchedActuals,
                          long comparedActuals, List<String> mismatchExamples,
                          Map<String, DemoEvaluation.Figures> figures, int origins, Instant firstTarget,
                          Instant lastTarget, Instant split, Path reportDir, String whatIf) {

    /**
     * The produce step: the orders the demo's topic held before it, and those it sent.
     *
     * @param seconds the step's time, reading what the topic holds included
     */
    public record Produced(String topic, long alreadyThere, long sent, double seconds) {
    }

    /**
     * The replay: its application id, the orders it copied (stamped from {@code from}, the warm-up's first bucket,
     * to {@code latestOrder}), how long its app ran, whether it closed every bucket asked for, and what it created:
     * deleted at its end, or kept.
     */
    public record Replayed(String replayId, long orders, Instant from, Instant latestOrder, double seconds,
                           boolean complete, int topics, int subjects, boolean kept) {
    }

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
        return String.format(Locale.ROOT, "The demo sent the file's orders to %s as forecaster produce does, then "
                        + "replayed %,d of them (%s .. %s) through the production topology as forecaster replay "
                        + "does, as fast as the app processed them, with model %s (%s). The app closed %d daily "
                        + "buckets and published %,d forecasts. %d products are scored: %,d forecasts made after the "
                        + "split %s (never trained on), each with up to %d steps, against the actuals the app "
                        + "published later.",
                produced.topic(), replayed.orders(), DemoReport.day(replayed.from()),
                replayed.latestOrder() == null ? "-" : DemoReport.day(replayed.latestOrder()), modelVersion,
                modelSource, closedBuckets, forecasts, products.size(), origins, DemoReport.day(split),
                streamed() == null ? 0 : streamed().maseByStep().length);
    }

    /** The summary as printed. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "  orders produced   %,d sent to %s in %.1f s; %,d were there "
                        + "already%n", produced.sent(), produced.topic(), produced.seconds(),
                produced.alreadyThere()));
        sb.append(String.format(Locale.ROOT, "  orders replayed   %,d (event time %s .. %s) by %s; its app took %.0f "
                        + "s (%,.0f orders/s)%n", replayed.orders(), DemoReport.day(replayed.from()),
                replayed.latestOrder() == null ? "-" : DemoReport.day(replayed.latestOrder()), replayed.replayId(),
                replayed.seconds(), replayed.seconds() > 0 ? replayed.orders() / replayed.seconds() : 0.0));
        sb.append(String.format(Locale.ROOT, "  dead letters      %,d%s%n", deadLetterCount(), deadLetters.isEmpty() ? ""
                : " (" + deadLetters.entrySet().stream().map(e -> e.getKey() + " " + String.format(Locale.ROOT,
                "%,d", e.getValue())).collect(Collectors.joining(", ")) + ")"));
        sb.append(String.format(Locale.ROOT, "  buckets closed    %d (%s .. %s); forecasts %,d (%s); sales-actuals "
                        + "%,d%n", closedBuckets, firstClosed == null ? "-" : DemoReport.day(firstClosed),
                lastClosed == null ? "-" : DemoReport.day(lastClosed), forecasts,
                methods.entrySet().stream().map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d",
                        e.getValue())).collect(Collectors.joining(", ")), actuals));
        sb.append(String.format(Locale.ROOT, "  exactly once      %d duplicates; %s%n",
                duplicates, incompleteBuckets.isEmpty() ? "every scored bucket has one forecast per actual"
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
        sb.append(String.format(Locale.ROOT, "  left behind       %s%n", replayed.kept()
                ? "the replay's " + replayed.topics() + " topics, its group, " + replayed.subjects() + " registry "
                + "subjects and work folder (--keep-topics)" : "nothing of the replay: " + replayed.topics()
                + " topics, its group and " + replayed.subjects() + " registry subjects deleted; " + produced.topic()
                + " stays for the next demo"));
        if (reportDir != null) {
            sb.append("  report            ").append(reportDir.resolve("report.html")).append('\n');
        }
        return sb.toString();
    }
}
