package io.demandcast.app.alerts;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * The calibration of the lead-time quantiles on scored forecasts: for each (product, origin) whose first L steps
 * all have an actual, whether the realised demand over those L buckets stayed at or below the sampled
 * service-level quantile ({@link LeadTimeDemand}, seeded as the alerts seed it). A calibrated quantile holds the
 * demand in that share of the cases.
 *
 * <p>Reads the demo's {@code forecasts.csv} (product, origin, target, step, method, actual, p10, p50, p90):
 * {@code java -cp 'stream-app/target/stream-app.jar:stream-app/target/lib/*'
 * io.demandcast.app.alerts.LeadTimeCalibration target/demo/forecasts.csv [method] [rho,...] [lead,...]}.
 */
public final class LeadTimeCalibration {

    /** One (product, origin) with its forecast steps and their actuals, in step order. */
    public record Origin(String product, String origin, double[] p10, double[] p50, double[] p90, double[] actual) {
    }

    /** The share of origins whose realised lead-time demand stayed at or below the quantile, per service level. */
    public record Coverage(int lead, double rho, int origins, Map<Double, Double> byLevel) {
    }

    private LeadTimeCalibration() {
    }

    /** The origins of {@code method} in a scored-points file. */
    public static List<Origin> read(Path file, String method) throws IOException {
        Map<String, TreeMap<Integer, double[]>> byOrigin = new LinkedHashMap<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null || !header.startsWith("product,origin,target,step,method,actual,p10,p50,p90")) {
                throw new IOException(file + ": expected the header product,origin,target,step,method,actual,p10,"
                        + "p50,p90; got " + header);
            }
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                String[] f = line.split(",", -1);
                if (f.length < 9) {
                    throw new IOException(file + " line " + n + ": expected 9 columns, got " + f.length);
                }
                if (!f[4].equals(method)) {
                    continue;
                }
                byOrigin.computeIfAbsent(f[0] + "," + f[1], k -> new TreeMap<>()).put(Integer.parseInt(f[3]),
                        new double[] {Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]),
                                Double.parseDouble(f[8])});
            }
        }
        List<Origin> out = new ArrayList<>(byOrigin.size());
        byOrigin.forEach((key, steps) -> {
            // Steps 1..n without a gap: the lead-time sums need every bucket's actual.
            int n = 0;
            while (steps.containsKey(n + 1)) {
                n++;
            }
            double[] a = new double[n];
            double[] lo = new double[n];
            double[] mid = new double[n];
            double[] hi = new double[n];
            for (int k = 0; k < n; k++) {
                double[] v = steps.get(k + 1);
                a[k] = v[0];
                lo[k] = v[1];
                mid[k] = v[2];
                hi[k] = v[3];
            }
            int comma = key.indexOf(',');
            out.add(new Origin(key.substring(0, comma), key.substring(comma + 1), lo, mid, hi, a));
        });
        return out;
    }

    /** The coverage of the lead-time quantiles at {@code levels} over the origins that reach {@code lead} steps. */
    public static Coverage coverage(List<Origin> origins, int lead, double rho, int samples, double... levels) {
        int[] held = new int[levels.length];
        int n = 0;
        for (Origin o : origins) {
            if (o.actual().length < lead) {
                continue;
            }
            n++;
            LeadTimeDemand demand = LeadTimeDemand.sample(o.p10(), o.p50(), o.p90(), lead, rho, samples,
                    RestockRule.seed(o.product(), o.origin().hashCode()));
            double realised = 0;
            for (int k = 0; k < lead; k++) {
                realised += Math.max(0, o.actual()[k]);
            }
            for (int i = 0; i < levels.length; i++) {
                if (realised <= demand.quantile(lead, levels[i])) {
                    held[i]++;
                }
            }
        }
        Map<Double, Double> byLevel = new LinkedHashMap<>();
        for (int i = 0; i < levels.length; i++) {
            byLevel.put(levels[i], n == 0 ? Double.NaN : (double) held[i] / n);
        }
        return new Coverage(lead, rho, n, byLevel);
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: LeadTimeCalibration FORECASTS_CSV [method] [rho,rho,...] [lead,lead,...]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        String method = args.length > 1 ? args[1] : "streamed";
        String rhos = args.length > 2 ? args[2] : "0,0.25,0.5,0.75,1";
        String leads = args.length > 3 ? args[3] : "1,3,7";
        List<Origin> origins = read(file, method);
        double[] levels = {0.8, 0.9, 0.95};
        System.out.printf(Locale.ROOT, "%s, method %s: %,d (product, origin)%n", file, method, origins.size());
        System.out.printf(Locale.ROOT, "%5s %5s %8s %8s %8s %8s%n", "lead", "rho", "origins", "0.8", "0.9", "0.95");
        for (String l : leads.split(",")) {
            for (String r : rhos.split(",")) {
                Coverage c = coverage(origins, Integer.parseInt(l.trim()), Double.parseDouble(r.trim()),
                        RestockPolicy.SAMPLES, levels);
                System.out.printf(Locale.ROOT, "%5d %5.2f %,8d %8.3f %8.3f %8.3f%n", c.lead(), c.rho(), c.origins(),
                        c.byLevel().get(0.8), c.byLevel().get(0.9), c.byLevel().get(0.95));
            }
        }
    }
}
