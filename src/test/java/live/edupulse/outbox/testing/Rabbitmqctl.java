package live.edupulse.outbox.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The broker's own control tool, for tests that stop, alarm or reconfigure it (and restore it):
 * inside the broker's container in container mode ({@code docker exec}), the machine's otherwise.
 */
public final class Rabbitmqctl {

    private Rabbitmqctl() {
    }

    /**
     * Runs {@code rabbitmqctl} with the given arguments.
     *
     * @return its output
     * @throws AssertionError when it fails or does not finish within two minutes
     */
    public static String run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        TestServices.brokerContainer().ifPresent(container -> command.addAll(List.of("docker", "exec", container)));
        command.add("rabbitmqctl");
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile("rabbitmqctl", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("rabbitmqctl " + arguments[0] + " did not finish within 120 s");
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError("rabbitmqctl " + String.join(" ", arguments) + ": " + printed);
            }
            return printed;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
