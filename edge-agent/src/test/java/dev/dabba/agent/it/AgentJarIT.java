package dev.dabba.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone agent jar: runnable on its own, with the natives a Raspberry Pi needs. */
class AgentJarIT {

    @TempDir
    Path dir;

    @Test
    void theJar_carriesZstdJnisLinuxAarch64Native_andAMainClass() throws IOException {
        try (JarFile jar = new JarFile(ChildAgent.jar().toFile())) {
            assertThat(jar.stream().map(e -> e.getName()))
                    .anyMatch(n -> n.matches("linux/aarch64/libzstd-jni-[0-9.\\-]+\\.so"))
                    .anyMatch(n -> n.matches("linux/amd64/libzstd-jni-[0-9.\\-]+\\.so"))
                    .contains("org/slf4j/simple/SimpleLogger.class", "org/yaml/snakeyaml/Yaml.class")
                    .noneMatch(n -> n.startsWith("org/apache/kafka/") || n.startsWith("org/apache/flink/")
                            || n.startsWith("io/netty/") || n.startsWith("org/postgresql/"));
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("dev.dabba.agent.cli.AgentMain");
        }
    }

    @Test
    void help_listsTheSubcommands() throws Exception {
        Result r = run("--help");
        assertThat(r.exit).isZero();
        assertThat(r.output).contains("dabba-agent").contains("run").contains("simulate").contains("status")
                .contains("bench");
    }

    @Test
    void run_withAnInvalidConfig_exits2_namingEveryBadSetting() throws Exception {
        Path config = dir.resolve("agent.yaml");
        Files.writeString(config, "node: MUMBAI BKC\nmqtt:\n  brokerUri: tcp://b:1883\noutbox:\n  fsync: never\n");
        Result r = run("run", "--config", config.toString());
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.output).contains("line 1: node").contains("line 5: outbox.fsync");
    }

    @Test
    void run_check_validatesAGoodConfig() throws Exception {
        Path config = dir.resolve("agent.yaml");
        Files.writeString(config, "node: MUMBAI_BKC\nstateDirectory: state\nmqtt:\n  brokerUri: tcp://b:1883\n");
        Result r = run("run", "--config", config.toString(), "--check");
        assertThat(r.exit).isZero();
        assertThat(r.output).contains("config OK: MUMBAI_BKC (tower)");
    }

    private record Result(int exit, String output) {
    }

    private Result run(String... args) throws Exception {
        Path out = dir.resolve("out.txt");
        List<String> cmd = new java.util.ArrayList<>(List.of(ChildAgent.java(), "-Xmx32m", "-jar",
                ChildAgent.jar().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        int exit = p.waitFor();
        return new Result(exit, Files.readString(out, StandardCharsets.UTF_8));
    }
}
