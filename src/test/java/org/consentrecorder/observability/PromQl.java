package org.consentrecorder.observability;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads: what is left once strings, label matchers, ranges,
 * grouping clauses, functions, keywords, numbers and Grafana variables are taken out. Good enough
 * for the queries in deploy/ (a test of this reader is in DeployedQueriesTest).
 */
final class PromQl {
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan");
    private static final Pattern IDENT = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

    private PromQl() {
    }

    static Set<String> metricNames(String expr) {
        String e = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("'(\\\\.|[^'\\\\])*'", "''")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^\\]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENT.matcher(e);
        while (m.find()) {
            String token = m.group();
            int end = m.end();
            while (end < e.length() && Character.isWhitespace(e.charAt(end))) {
                end++;
            }
            boolean function = end < e.length() && e.charAt(end) == '(';
            boolean partOfNumber = m.start() > 0 && (Character.isDigit(e.charAt(m.start() - 1)) || e.charAt(m.start() - 1) == '.');
            if (!function && !partOfNumber && !KEYWORDS.contains(token.toLowerCase())) {
                names.add(token);
            }
        }
        return names;
    }
}
