package io.demandcast.app.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** A SavedModel directory as the zip bytes a release carries, and back. */
public final class ModelArchive {

    private ModelArchive() {
    }

    /** Zips every file under {@code dir}, with paths relative to it. */
    public static byte[] zip(Path dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        zip(dir, bytes);
        return bytes.toByteArray();
    }

    public static void zip(Path dir, OutputStream out) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("nothing to zip: " + dir + " holds no file");
        }
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Path f : files) {
                // Zip paths use '/' whatever the platform.
                zip.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
    }

    /**
     * Unzips into {@code target} (created). An entry that would land outside it is refused: a release comes
     * from a topic anyone with write access can fill.
     *
     * @param source named in errors (the topic, partition and offset, or the URI)
     */
    public static void unzip(InputStream in, Path target, String source) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        Files.createDirectories(root);
        int entries = 0;
        try (ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                Path to = root.resolve(e.getName()).normalize();
                if (!to.startsWith(root) || to.equals(root)) {
                    throw new IOException("the model archive from " + source + " has an entry '" + e.getName()
                            + "' outside its folder; refusing it");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(to);
                } else {
                    Files.createDirectories(to.getParent());
                    Files.copy(zip, to);
                    entries++;
                }
            }
        }
        if (entries == 0) {
            throw new IOException("the model archive from " + source + " is empty or not a zip");
        }
    }
}
