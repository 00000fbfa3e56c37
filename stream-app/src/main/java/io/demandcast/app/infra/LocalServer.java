package io.demandcast.app.infra;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One of the servers that {@link LocalInfra} runs. */
interface LocalServer {

    ServerProcess process();

    /** The ports it will listen on, each with the option that changes it. */
    Map<Integer, String> ports();

    /** What clients use to reach it once it runs. */
    String endpoint();

    /** Writes its configuration and prepares its storage, before every start. */
    void prepare(InfraDistribution distribution, Duration timeout);

    /** The command line of the server JVM, carrying {@link ServerProcess#marker()}. */
    List<String> command(InfraDistribution distribution);

    /** Whether it answers requests now; a quick check, called repeatedly until a deadline. */
    boolean answers();

    default String displayName() {
        return process().displayName();
    }
}
