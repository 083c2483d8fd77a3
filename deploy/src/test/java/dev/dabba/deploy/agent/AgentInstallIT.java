package dev.dabba.deploy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/agent/install.sh} as a field engineer uses it, staged with {@code DESTDIR} (no root, no systemd):
 * install a release, edit the config, upgrade to a newer release (the config is kept, the old release becomes
 * {@code previous}), roll back (the links swap), and the installed launcher validates the config each time. The
 * release is assembled as {@code build-image.sh} assembles it, from the real agent jar, without the jlink runtime (the
 * launcher then runs the {@code java} on the PATH).
 */
class AgentInstallIT {

    private static Path release(Path home, Path dir, String version) throws Exception {
        Path agent = home.resolve("deploy/agent");
        Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("lib"));
        Files.createDirectories(dir.resolve("runtime"));
        Files.copy(home.resolve("edge-agent/target/dabba-agent.jar"), dir.resolve("lib/dabba-agent.jar"));
        Files.copy(agent.resolve("dabba-agent"), dir.resolve("bin/dabba-agent"));
        for (String f : List.of("dabba-agent.service", "agent.yaml", "install.sh", "README.md")) {
            Files.copy(agent.resolve(f), dir.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
        }
        dir.resolve("bin/dabba-agent").toFile().setExecutable(true);
        dir.resolve("install.sh").toFile().setExecutable(true);
        Files.writeString(dir.resolve("VERSION"), version + "\n");
        return dir;
    }

    private static String run(Path releaseDir, Path stage, int expectedExit, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", releaseDir.resolve("install.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(releaseDir.toFile()).redirectErrorStream(true);
        pb.environment().put("DESTDIR", stage.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("install.sh %s exit; output:%n%s", String.join(" ", args), out)
                .isEqualTo(expectedExit);
        return out;
    }

    private static String link(Path stage, String name) throws Exception {
        return Files.readSymbolicLink(stage.resolve("opt/dabba-agent").resolve(name)).toString();
    }

    @Test
    void install_upgrade_andRollback_keepTheConfig_andSwapTheReleases(@TempDir Path tmp) throws Exception {
        Path home = Path.of(System.getProperty("dabba.home", "..")).toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(home.resolve("edge-agent/target/dabba-agent.jar")),
                "the agent jar is not built (edge-agent/target/dabba-agent.jar): run ./mvnw package first");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "install.sh needs bash");
        Path stage = tmp.resolve("stage");
        Path v1 = release(home, tmp.resolve("dabba-agent-1.0.0"), "1.0.0");
        Path v2 = release(home, tmp.resolve("dabba-agent-1.1.0"), "1.1.0");
        Path config = stage.resolve("etc/dabba-agent/agent.yaml");

        String first = run(v1, stage, 0);

        assertThat(first).contains("installed a default").contains("config OK: MUMBAI_BKC (tower)")
                .contains("dabba-agent 1.0.0 staged");
        assertThat(link(stage, "current")).isEqualTo("releases/1.0.0");
        assertThat(stage.resolve("etc/systemd/system/dabba-agent.service")).exists();
        assertThat(stage.resolve("opt/dabba-agent/releases/1.0.0/lib/dabba-agent.jar")).exists();

        Files.writeString(config, Files.readString(config).replace("node: MUMBAI_BKC", "node: MUMBAI_BANDRA"));
        String upgrade = run(v2, stage, 0);

        assertThat(upgrade).doesNotContain("installed a default").contains("config OK: MUMBAI_BANDRA (tower)");
        assertThat(link(stage, "current")).isEqualTo("releases/1.1.0");
        assertThat(link(stage, "previous")).isEqualTo("releases/1.0.0");
        assertThat(Files.readString(config)).contains("node: MUMBAI_BANDRA");

        String rollback = run(v2, stage, 0, "--rollback");

        assertThat(rollback).contains("rolled back to 1.0.0; 1.1.0 kept as previous");
        assertThat(link(stage, "current")).isEqualTo("releases/1.0.0");
        assertThat(link(stage, "previous")).isEqualTo("releases/1.1.0");

        Files.writeString(config, Files.readString(config).replace("node: MUMBAI_BANDRA", "node: MUMBAI_DADAR"));
        String refused = run(v2, stage, 2);
        assertThat(refused).as("a config the release rejects is reported, naming the setting")
                .contains("handover.neighbours");
    }
}
