package io.demandcast.app.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What can be told about TensorFlow's device without loading its 600 MB native library: which native build is on
 * the classpath (the {@code gpu} Maven profile puts the CUDA one there) and whether this machine shows an NVIDIA
 * device. TensorFlow itself places the graph on a GPU when its CUDA build finds one, else on the CPU.
 */
public record TensorFlowDevice(String nativeBuild, boolean gpuBuild, boolean nvidiaDevice, String cudaVisibleDevices) {

    private static final String NATIVE_DIR = "org/tensorflow/internal/c_api/";

    public static TensorFlowDevice detect() {
        return detect(TensorFlowDevice.class.getClassLoader(), System.getenv(), Path.of("/dev/nvidia0"));
    }

    static TensorFlowDevice detect(ClassLoader loader, Map<String, String> env, Path nvidiaDeviceFile) {
        List<String> builds = new ArrayList<>();
        for (String build : List.of("linux-x86_64-gpu", "linux-x86_64", "linux-arm64", "macosx-arm64",
                "macosx-x86_64", "windows-x86_64")) {
            if (loader.getResource(NATIVE_DIR + build + "/") != null) {
                builds.add(build);
            }
        }
        String nativeBuild = builds.isEmpty() ? "none" : String.join(",", builds);
        return new TensorFlowDevice(nativeBuild, builds.stream().anyMatch(b -> b.endsWith("-gpu")),
                Files.exists(nvidiaDeviceFile), env.getOrDefault("CUDA_VISIBLE_DEVICES", ""));
    }

    /** The device TensorFlow will use, as one log line. */
    public String describe() {
        String device;
        if (nativeBuild.equals("none")) {
            device = "no TensorFlow native library on the classpath";
        } else if (gpuBuild && nvidiaDevice && !cudaVisibleDevices.equals("-1")) {
            device = "GPU (CUDA build, NVIDIA device present"
                    + (cudaVisibleDevices.isEmpty() ? "" : ", CUDA_VISIBLE_DEVICES=" + cudaVisibleDevices) + ")";
        } else if (gpuBuild) {
            device = "CPU (CUDA build, but " + (nvidiaDevice ? "CUDA_VISIBLE_DEVICES=-1" : "no NVIDIA device") + ")";
        } else {
            device = "CPU (CPU build" + (nvidiaDevice ? "; an NVIDIA device is present: build with -Pgpu to use it"
                    : "") + ")";
        }
        return "TensorFlow device: " + device + "; native build " + nativeBuild;
    }
}
