package io.demandcast.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.cli.ForecasterCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command's checks that fail before anything starts: the message names the option to fix. */
class DemoCommandTest {

    private record Run(int code, String err) {
    }

    private static Run demo(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = ForecasterCli.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "demo";
        System.arraycopy(args, 0, all, 1, args.length);
        return new Run(cli.execute(all), err.toString());
    }

    @Test
    void anExternalBrokerWithoutItsRegistryIsRefused() {
        Run run = demo("--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.code()).isEqualTo(ForecasterCli.EXIT_FAILURE);
        assertThat(run.err()).contains("--bootstrap-servers and --schema-registry-url go together");
    }

    @Test
    void aMissingDataFileNamesTheOption(@TempDir Path dir) {
        Run run = demo("--data", dir.resolve("nothing.csv.gz").toString());
        assertThat(run.code()).isEqualTo(ForecasterCli.EXIT_FAILURE);
        assertThat(run.err()).contains("nothing.csv.gz").contains("--data");
    }

    @Test
    void skipTrainWithoutAnEarlierModelSaysHowToGetOne(@TempDir Path dir) throws Exception {
        Path data = Files.writeString(dir.resolve("lines.csv"), "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice\n");
        Run run = demo("--data", data.toString(), "--skip-train", "--out", dir.resolve("out").toString());
        assertThat(run.code()).isEqualTo(ForecasterCli.EXIT_FAILURE);
        assertThat(run.err()).contains("--skip-train").contains("--model DIR");
    }

    @Test
    void aSplitAfterTheEndIsRefusedWithBothOptions(@TempDir Path dir) throws Exception {
        Path data = Files.writeString(dir.resolve("lines.csv"), "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice\n");
        Run run = demo("--data", data.toString(), "--split", "2011-09-01", "--until", "2011-08-01");
        assertThat(run.code()).isEqualTo(ForecasterCli.EXIT_FAILURE);
        assertThat(run.err()).contains("--split").contains("--until");
    }
}
