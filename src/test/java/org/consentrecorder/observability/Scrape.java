package org.consentrecorder.observability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A Prometheus text-format page (version 0.0.4) read into samples, strictly: a line that is not
 * a comment, blank or a well-formed sample fails the test that reads it.
 */
record Scrape(List<Sample> samples, Map<String, String> types) {

    record Sample(String name, Map<String, String> labels, double value) {
        String label(String key) {
            return labels.get(key);
        }
    }

    static Scrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 4 && parts[1].equals("TYPE")) {
                    types.put(parts[2], parts[3]);
                }
                continue;
            }
            samples.add(sample(line));
        }
        return new Scrape(List.copyOf(samples), Map.copyOf(types));
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_'
                || line.charAt(i) == ':')) {
            i++;
        }
        String name = line.substring(0, i);
        if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
            throw new IllegalArgumentException("not a sample: " + line);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String key = line.substring(i, eq);
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("label value not quoted: " + line);
                }
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(key, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).strip().split(" ");
        return new Sample(name, Map.copyOf(labels), parseValue(rest[0]));
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    /** The one sample of this name with these labels (others may differ); fails when none or several match. */
    double value(String name, String... labelPairs) {
        List<Sample> found = find(name, labelPairs);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples of " + name + " " + List.of(labelPairs) + ": " + found);
        }
        return found.get(0).value();
    }

    /** As {@link #value}, but 0 when the series does not exist (yet). */
    double valueOrZero(String name, String... labelPairs) {
        List<Sample> found = find(name, labelPairs);
        return found.isEmpty() ? 0 : value(name, labelPairs);
    }

    List<Sample> find(String name, String... labelPairs) {
        Predicate<Sample> match = s -> s.name().equals(name);
        for (int k = 0; k + 1 < labelPairs.length; k += 2) {
            String key = labelPairs[k];
            String value = labelPairs[k + 1];
            match = match.and(s -> value.equals(s.labels().get(key)));
        }
        return samples.stream().filter(match).toList();
    }

    /** The le label Micrometer writes for a bucket bound: seconds, as Java prints a double (0.002, 1.0). */
    static String le(java.time.Duration bound) {
        return String.valueOf(bound.toNanos() / 1e9);
    }
}
