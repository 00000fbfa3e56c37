package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFlowDeviceTest {

    @TempDir
    Path dir;

    private URLClassLoader loaderWith(String build) throws Exception {
        Files.createDirectories(dir.resolve("org/tensorflow/internal/c_api/" + build));
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, null);
    }

    @Test
    void theCudaBuildOnAMachineWithAnNvidiaDeviceRunsOnTheGpu() throws Exception {
        Path nvidia = Files.createFile(dir.resolve("nvidia0"));
        try (URLClassLoader loader = loaderWith("linux-x86_64-gpu")) {
            TensorFlowDevice d = TensorFlowDevice.detect(loader, Map.of(), nvidia);
            assertThat(d.gpuBuild()).isTrue();
            assertThat(d.describe()).startsWith("TensorFlow device: GPU").contains("linux-x86_64-gpu");
            assertThat(TensorFlowDevice.detect(loader, Map.of("CUDA_VISIBLE_DEVICES", "-1"), nvidia).describe())
                    .startsWith("TensorFlow device: CPU");
        }
    }

    @Test
    void theCpuBuildRunsOnTheCpuAndSaysHowToUseAPresentGpu() throws Exception {
        Path nvidia = Files.createFile(dir.resolve("nvidia0"));
        try (URLClassLoader loader = loaderWith("linux-x86_64")) {
            assertThat(TensorFlowDevice.detect(loader, Map.of(), dir.resolve("none")).describe())
                    .isEqualTo("TensorFlow device: CPU (CPU build); native build linux-x86_64");
            assertThat(TensorFlowDevice.detect(loader, Map.of(), nvidia).describe()).contains("-Pgpu");
        }
    }

    @Test
    void thisBuildsClasspathHoldsTheCpuLibrary() {
        // The default (non-gpu) Maven build: what `run` logs on the build machine.
        assertThat(TensorFlowDevice.detect().nativeBuild()).contains("linux-x86_64");
    }
}
