package io.demandcast.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ForecasterCliTest {

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ForecasterCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    /** Every command path, root included, as the arguments that select it. */
    private static List<List<String>> commandPaths(CommandLine command, List<String> path) {
        List<List<String>> paths = new ArrayList<>();
        paths.add(path);
        command.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) { // skip aliases
                List<String> subPath = new ArrayList<>(path);
                subPath.add(name);
                paths.addAll(commandPaths(sub, subPath));
            }
        });
        return paths;
    }

    @Test
    void everyCommandAnswersHelpAndVersion() {
        List<List<String>> paths = commandPaths(ForecasterCli.commandLine(), List.of());
        assertThat(paths).contains(List.of("infra", "up"), List.of("infra", "status"), List.of("infra", "down"));
        for (List<String> path : paths) {
            List<String> help = new ArrayList<>(path);
            help.add("--help");
            Run helpRun = run(help.toArray(String[]::new));
            assertThat(helpRun.exitCode()).as("exit code of %s", help).isZero();
            assertThat(helpRun.out()).as("output of %s", help)
                    .startsWith("Usage: " + String.join(" ", prepend("forecaster", path)));

            List<String> version = new ArrayList<>(path);
            version.add("--version");
            Run versionRun = run(version.toArray(String[]::new));
            assertThat(versionRun.exitCode()).as("exit code of %s", version).isZero();
            assertThat(versionRun.out()).as("output of %s", version).startsWith("Demandcast forecaster ");
        }
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    @Test
    void anUnknownOptionFailsWithAMessageAndAUsageExitCode() {
        Run root = run("--no-such-option");
        assertThat(root.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(root.err()).contains("Unknown option: '--no-such-option'");

        Run sub = run("infra", "up", "--kafka-prot=9092");
        assertThat(sub.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(sub.err()).contains("Unknown option: '--kafka-prot=9092'");
    }

    @Test
    void benchRefusesADirectoryAsItsResultsFileBeforeStartingAnything(@TempDir Path dir) {
        Run run = run("bench", "cycle", "--out", dir.toString(), "--run-dir", dir.resolve("run").toString());
        assertThat(run.exitCode()).isNotZero().isNotEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("--out " + dir + " is a directory").contains("results.json")
                .doesNotContain("Exception");
        assertThat(dir.resolve("run")).doesNotExist();
    }

    @Test
    void anUnknownCommandFails() {
        Run run = run("forecats");
        assertThat(run.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("forecats");
    }

    @Test
    void noCommandFailsAndListsTheCommands() {
        Run run = run();
        assertThat(run.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("Missing a command").contains("infra");
    }

    @Test
    void aCommandFailureIsPrintedWithoutAStackTrace() {
        Run run = run("infra", "up", "--kafka-port", "9092", "--controller-port", "9092");
        assertThat(run.exitCode()).isEqualTo(ForecasterCli.EXIT_FAILURE);
        assertThat(run.err()).isEqualTo("forecaster infra up: kafka port and controller port must differ, both are 9092"
                + System.lineSeparator());
    }
}
