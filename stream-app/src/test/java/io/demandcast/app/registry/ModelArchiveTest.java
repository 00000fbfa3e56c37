package io.demandcast.app.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArchiveTest {

    @TempDir
    Path dir;

    @Test
    void aFolderComesBackWholeFromItsZip() throws IOException {
        Path model = dir.resolve("model");
        Files.createDirectories(model.resolve("variables"));
        Files.writeString(model.resolve("saved_model.pb"), "graph");
        Files.writeString(model.resolve("variables/variables.index"), "index");

        byte[] zip = ModelArchive.zip(model);
        Path back = dir.resolve("back");
        ModelArchive.unzip(new ByteArrayInputStream(zip), back, "test");

        assertThat(back.resolve("saved_model.pb")).hasContent("graph");
        assertThat(back.resolve("variables/variables.index")).hasContent("index");
    }

    @Test
    void anEntryOutsideTheTargetFolderIsRefused() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("../escaped.txt"));
            zip.write("x".getBytes());
            zip.closeEntry();
        }

        assertThatThrownBy(() -> ModelArchive.unzip(new ByteArrayInputStream(bytes.toByteArray()),
                dir.resolve("target"), "models/0@42"))
                .hasMessageContaining("../escaped.txt").hasMessageContaining("models/0@42");
        assertThat(dir.resolve("escaped.txt")).doesNotExist();
    }
}
