package io.demandcast.app.cli;

import io.demandcast.app.infra.InfraCommand;
import io.demandcast.model.cli.BacktestCommand;
import io.demandcast.model.cli.TrainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The root command, {@code forecaster}. Every subcommand inherits {@code --help} and {@code --version}
 * ({@code scope = INHERIT}).
 *
 * <p>To add a subcommand, write a picocli {@code @Command} class (a {@code Runnable} or {@code Callable<Integer>})
 * in its capability's package and add one line with its class to {@code subcommands} below. Expected failures are
 * thrown as {@link CommandFailure}; the message is printed without a stack trace.
 */
@Command(name = "forecaster",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = ForecasterCli.Version.class,
        description = "Demandcast: a streaming, real-time product-sales forecaster on Kafka Streams.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
                InfraCommand.class,
                TrainCommand.class,
                BacktestCommand.class,
                io.demandcast.app.run.RunCommand.class,
                io.demandcast.app.replay.ProduceCommand.class,
                io.demandcast.app.replay.ReplayCommand.class,
                io.demandcast.app.tail.TailCommand.class,
                io.demandcast.app.registry.ModelsCommand.class,
                io.demandcast.app.demo.DemoCommand.class,
                io.demandcast.app.bench.BenchCommand.class,
        })
public final class ForecasterCli implements Runnable {

    /** Exit code of a {@link CommandFailure}; usage errors exit with picocli's 2. */
    public static final int EXIT_FAILURE = 1;

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for {@link #main} and for tests that run a command in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ForecasterCli());
        cli.setExecutionExceptionHandler((failure, commandLine, parseResult) -> {
            if (failure instanceof CommandFailure) {
                commandLine.getErr().println(
                        commandLine.getCommandSpec().qualifiedName() + ": " + failure.getMessage());
                commandLine.getErr().flush();
                return EXIT_FAILURE;
            }
            throw failure;
        });
        return cli;
    }

    @Override
    public void run() {
        // `forecaster` alone: say what there is to run.
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command.");
    }

    /** The version from the jar's manifest (set at package time). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = ForecasterCli.class.getPackage().getImplementationVersion();
            return new String[] {
                    "Demandcast forecaster " + (version != null ? version : "(development build, not packaged)"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
