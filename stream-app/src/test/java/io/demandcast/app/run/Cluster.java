package io.demandcast.app.run;

import io.demandcast.app.cli.ForecasterCli;
import io.demandcast.app.config.AppConfig;
import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;

/** TEST ONLY: the shared real broker and registry, app configs on unique topics, and the CLI run in-process. */
public final class Cluster {

    public final KafkaBroker broker;
    public final RegistryServer registry;

    private Cluster(KafkaBroker broker, RegistryServer registry) {
        this.broker = broker;
        this.registry = registry;
    }

    public static Cluster shared() {
        RegistryServer.startInBackground();
        KafkaBroker broker = KafkaBroker.shared();
        return new Cluster(broker, RegistryServer.shared());
    }

    /** A config on this cluster with topics and application id of its own, and the given overrides. */
    public AppConfig config(Path stateDir, String... keyValues) {
        return AppConfig.from(properties(stateDir, keyValues), Map.of());
    }

    /** The properties of {@link #config}: what a child JVM's {@code run --config FILE} reads. */
    public Map<String, String> properties(Path stateDir, String... keyValues) {
        String p = KafkaBroker.uniqueTopic("t");
        Map<String, String> props = new HashMap<>();
        props.put("application.id", "app-" + p);
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("schema.registry.url", registry.url());
        props.put("state.dir", stateDir.toString());
        props.put("rest.port", "0");
        props.put("topic.replication.factor", "1");
        for (String t : List.of("orders", "orders.dlq", "inventory", "sales.actuals", "forecasts", "restock.alerts",
                "models")) {
            props.put("topic." + t, p + "-" + t.replace('.', '-'));
        }
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    /** The result of one command line run. */
    public record Run(int exitCode, String out, String err) {
    }

    public static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ForecasterCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Waits for {@code condition} until {@code deadline}; fails with {@code what} if it never holds. */
    public static void await(String what, Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("waited " + deadline.toSeconds() + " s for " + what);
            }
            Thread.sleep(100);
        }
    }
}
