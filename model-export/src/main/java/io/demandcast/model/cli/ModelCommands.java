package io.demandcast.model.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The model's commands on their own ({@code train}, {@code backtest}); the application's root command adds the
 * same two as subcommands with its trainer: {@code root.addSubcommand(new TrainCommand(f))}.
 */
@Command(name = "demandcast-model", mixinStandardHelpOptions = true,
        description = "Train and backtest Demandcast's forecasting model offline.")
public final class ModelCommands implements Runnable {

    @Spec
    CommandSpec spec;

    /** Without a subcommand: the usage, listing both. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A command line with both subcommands; {@code trainers} may be null (baselines only). */
    public static CommandLine commandLine(TrainerFactory trainers) {
        return new CommandLine(new ModelCommands())
                .addSubcommand(new TrainCommand(trainers))
                .addSubcommand(new BacktestCommand(trainers));
    }

    public static void main(String[] args) {
        System.exit(commandLine(null).execute(args));
    }
}
