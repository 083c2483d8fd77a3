package dev.dabba.deploy.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Versions the build pins, read from the parent POM, so deployment files can be checked against them. */
final class Poms {

    private Poms() {
    }

    private static String parent() {
        try {
            return Files.readString(RepoFiles.file("pom.xml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project's version (the parent's {@code <version>}). */
    static String projectVersion() {
        return first("<artifactId>dabba-parent</artifactId>\\s*<version>([^<]+)</version>");
    }

    /** A property of the parent POM, e.g. {@code flink.version}. */
    static String property(String name) {
        return first("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">");
    }

    /** The version the parent's dependency management pins for {@code artifactId}. */
    static String managedVersion(String artifactId) {
        return first("<artifactId>" + Pattern.quote(artifactId) + "</artifactId>\\s*<version>([^<]+)</version>");
    }

    private static String first(String regex) {
        Matcher m = Pattern.compile(regex).matcher(parent());
        if (!m.find()) {
            throw new IllegalStateException("pom.xml has no match for " + regex);
        }
        return m.group(1).strip();
    }
}
