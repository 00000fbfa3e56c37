package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code forecaster run} refuses to start, with a message naming what to fix, when a server it needs is away. */
class StartupFailureTest {

    @TempDir
    Path state;

    @Test
    void anUnreachableBrokerExitsNonZeroNamingTheAddressAndTheKey() {
        Cluster.Run run = Cluster.cli("run", "--bootstrap-servers", "127.0.0.1:1", "--connect-timeout", "2");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("the Kafka broker at 127.0.0.1:1 did not answer within 2 s")
                .contains("bootstrap.servers").doesNotContain("\tat ");
    }

    @Test
    void anUnreachableRegistryExitsNonZeroNamingTheUrlAndTheKey() {
        Cluster cluster = Cluster.shared();
        Cluster.Run run = Cluster.cli("run", "--bootstrap-servers", cluster.broker.bootstrapServers(),
                "--schema-registry-url", "http://127.0.0.1:1/apis/ccompat/v7", "--connect-timeout", "2");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("the schema registry at http://127.0.0.1:1/apis/ccompat/v7 did not answer")
                .contains("schema.registry.url");
    }

    @Test
    void aModelThatCannotBeLoadedStopsTheStartAndLeavesNothingRunning() {
        Cluster cluster = Cluster.shared();
        var config = cluster.config(state, "model.dir", state.resolve("no-model").toString());
        ModelLoader failing = dir -> {
            throw new java.io.IOException("no saved_model.pb in " + dir);
        };
        try {
            ForecasterApp.start(config, failing, java.time.Duration.ofSeconds(10)).close();
            throw new AssertionError("expected the start to fail");
        } catch (StartupException e) {
            assertThat(e.getMessage()).contains("cannot load the model in " + state.resolve("no-model"))
                    .contains("model.dir").contains("no saved_model.pb");
        }
    }
}
