package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.config.AppConfig;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.testkit.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once through a broker restart, on a real broker of the test's own: two weeks of Online Retail go to a
 * running app in two halves, with the broker stopped for 10 s and restarted (same log, same ports) between them
 * while the app works through the first half. Every (series, day) on {@code sales-actuals} and {@code forecasts}
 * (read_committed) must equal the outputs of an uninterrupted run of the same orders.
 */
class BrokerRestartTest {

    @Test
    void aBrokerRestartMidReplayLeavesTheOutputsEqualToThoseOfAnUninterruptedRun(@TempDir Path dir)
            throws Exception {
        Cluster cluster = Cluster.shared();
        List<OrderEvent> orders = CrashRecoveryTest.twoWeeksOfOrders();

        AppConfig reference = cluster.config(dir.resolve("reference"), CrashRecoveryTest.SETTINGS);
        CrashRecoveryTest.Outputs expected;
        try (ForecasterApp app = ForecasterApp.start(reference, ForecasterApp.NO_LOADER, Duration.ofSeconds(30))) {
            Cluster.await("the reference app to run", Duration.ofSeconds(60),
                    () -> app.health().state().equals("RUNNING"));
            CrashRecoveryTest.send(reference, orders);
            expected = CrashRecoveryTest.settle(reference, () -> app.metrics().recordsIn() >= orders.size(), -1);
        }
        assertThat(expected.actuals()).hasSizeGreaterThan(1_000);

        KafkaBroker broker = KafkaBroker.startPrivate();
        try {
            Map<String, String> props = cluster.properties(dir.resolve("restarted"), CrashRecoveryTest.SETTINGS);
            props.put("bootstrap.servers", broker.bootstrapServers());
            AppConfig restarted = AppConfig.from(props, Map.of());
            int half = orders.size() / 2;
            try (ForecasterApp app = ForecasterApp.start(restarted, ForecasterApp.NO_LOADER,
                    Duration.ofSeconds(30))) {
                Cluster.await("the app to run", Duration.ofSeconds(60),
                        () -> app.health().state().equals("RUNNING"));
                CrashRecoveryTest.send(restarted, orders.subList(0, half));
                // Mid-work: some of the first half read, transactions open, buckets closing.
                Cluster.await("the app to read some orders", Duration.ofSeconds(60),
                        () -> app.metrics().recordsIn() > half / 4);
                broker.restart(Duration.ofSeconds(10));
                CrashRecoveryTest.send(restarted, orders.subList(half, orders.size()));
                CrashRecoveryTest.Outputs actual = CrashRecoveryTest.settle(restarted,
                        () -> app.metrics().recordsIn() >= orders.size(), expected.actuals().size());
                assertThat(app.health().state()).isEqualTo("RUNNING");
                assertThat(actual.actuals()).as("actuals after a broker restart").isEqualTo(expected.actuals());
                assertThat(actual.forecasts()).as("forecasts after a broker restart")
                        .isEqualTo(expected.forecasts());
            }
        } finally {
            broker.close();
        }
    }
}
