package io.demandcast.app.run;

import io.demandcast.app.config.AppConfig;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code forecaster run}: one instance of the streaming forecaster, until SIGTERM or Ctrl-C. */
@Command(name = "run",
        description = "Run the streaming forecaster: validate orders, close buckets, publish actuals and forecasts, "
                + "serve REST (/forecasts/{series}, /restock/{product}, /health, /ready, /metrics) on "
                + "rest.host:rest.port. Creates missing topics. Stops cleanly on SIGTERM or Ctrl-C.")
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AppConfigOptions options;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "15",
            description = "How long the broker and the registry may take to answer at start (default: "
                    + "${DEFAULT-VALUE}).")
    long connectTimeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        quietKafkaClientLogs();
        AppConfig config = options.load();
        ForecasterApp app = ForecasterApp.start(config, ModelLoader.installed(config),
                Duration.ofSeconds(connectTimeoutSeconds));
        Thread hook = new Thread(app::close, "forecaster-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        app.awaitStop();
        app.close();
        if (app.failed()) {
            spec.commandLine().getErr().println("forecaster run: the stream stopped on an error; see the log above.");
            return 1;
        }
        return 0;
    }

    /** Kafka's clients log their whole configuration at INFO; an explicit setting wins. */
    static void quietKafkaClientLogs() {
        String key = "org.slf4j.simpleLogger.log.org.apache.kafka";
        if (System.getProperty(key) == null) {
            System.setProperty(key, "warn");
        }
    }
}
