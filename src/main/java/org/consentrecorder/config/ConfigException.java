package org.consentrecorder.config;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown at start-up when the configuration cannot be used; lists every problem, never a secret value. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super("invalid configuration:\n" + problems.stream()
                .map(p -> "  - " + p)
                .collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
