package dev.dabba.embedded;

import java.util.Set;
import java.util.stream.Collectors;

/** Test helper: the live non-daemon threads, to check that a component leaves none behind. */
final class Threads {

    private Threads() {
    }

    static Set<Thread> nonDaemon() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon())
                .filter(t -> !t.getName().startsWith("awaitility")) // the poller of the await() doing the check
                .collect(Collectors.toSet());
    }

    static Set<String> startedSince(Set<Thread> before) {
        return nonDaemon().stream()
                .filter(t -> !before.contains(t))
                .map(Thread::getName)
                .collect(Collectors.toSet());
    }
}
