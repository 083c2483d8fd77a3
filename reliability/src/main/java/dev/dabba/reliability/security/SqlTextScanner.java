package dev.dabba.reliability.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds JDBC calls whose SQL text is built from anything but constants: every argument of {@code prepareStatement},
 * {@code prepareCall}, {@code execute}, {@code executeQuery}, {@code executeUpdate}, {@code executeLargeUpdate} and
 * {@code addBatch} in a file that imports {@code java.sql} must be made of string literals and upper-case
 * constants, through {@code +}, {@code String.format}/{@code formatted} and {@code StringBuilder} appends, following
 * local variables and fields to their assignments (in the same file, or any scanned file for {@code other.field}).
 *
 * <p>The one escape is explicit: an assignment or call with a comment containing {@value #ALLOW} on its line or in
 * the three lines above, for identifiers validated elsewhere (a schema name checked against
 * {@code [a-z_][a-z0-9_]*}). Values are always bound as parameters; the scanner cannot tell an identifier from a
 * value, so it makes a person say which it is.
 *
 * <p>Deliberately a text scanner, not a compiler plug-in: it is conservative (anything it cannot follow is a finding)
 * and small enough to read.
 */
public final class SqlTextScanner {

    /** A method reference ({@code a.b::c}) or a lambda ({@code x -> ...}, {@code () -> ...}). */
    private static final Pattern FUNCTION = Pattern.compile(
            "[\\w.]+::\\w+|(\\w+|\\([\\w\\s,]*\\))\\s*->[\\s\\S]*");

    /** The allowlist marker. */
    public static final String ALLOW = "sql-allowlist:";

    private static final Pattern CALL = Pattern.compile(
            "\\.(prepareStatement|prepareCall|executeQuery|executeUpdate|executeLargeUpdate|execute|addBatch)\\s*\\(");
    private static final Pattern CONSTANT = Pattern.compile("(?:[A-Za-z_][A-Za-z0-9_]*\\.)*[A-Z][A-Z0-9_]*");
    private static final Pattern REFERENCE = Pattern.compile("(?:this\\.)?(?:[a-z][A-Za-z0-9_]*\\.)?[a-z][A-Za-z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+[lL]?");
    private static final int MAX_DEPTH = 8;

    /** One JDBC call whose SQL text may include non-constant text. */
    public record Finding(Path file, int line, String call, String reason) {
        @Override
        public String toString() {
            return file + ":" + line + " " + call + " -- " + reason;
        }
    }

    private record Source(Path file, String text) {
    }

    private final List<Source> sources;

    private SqlTextScanner(List<Source> sources) {
        this.sources = sources;
    }

    /** A scanner over every {@code src/main/java} tree below {@code root} (a module directory or the repository). */
    public static SqlTextScanner ofTree(Path root) {
        List<Source> sources = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/main/java/")).sorted().toList()) {
                sources.add(new Source(root.relativize(p), Files.readString(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SqlTextScanner(sources);
    }

    /** A scanner over one source text (tests of the scanner itself). */
    public static SqlTextScanner ofSource(String name, String text) {
        return new SqlTextScanner(List.of(new Source(Path.of(name), text)));
    }

    /** How many files the scanner reads. */
    public int fileCount() {
        return sources.size();
    }

    /** Every JDBC call with an argument, safe or not: the calls the scan looked at. */
    public int jdbcCallCount() {
        int n = 0;
        for (Source s : sources) {
            if (usesJdbc(s)) {
                Matcher m = CALL.matcher(s.text);
                while (m.find()) {
                    if (!argument(s.text, m.end()).isBlank()) {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    /** The calls whose SQL text is not provably constant (or allowlisted). */
    public List<Finding> findings() {
        List<Finding> out = new ArrayList<>();
        for (Source s : sources) {
            if (!usesJdbc(s)) {
                continue;
            }
            Matcher m = CALL.matcher(s.text);
            while (m.find()) {
                String arg = argument(s.text, m.end()).trim();
                if (arg.isEmpty() || allowlisted(s.text, m.start())) {
                    continue;
                }
                if (splitTopLevel(arg, ',').size() > 2) {
                    continue; // not JDBC: no JDBC execute or prepare takes SQL and more than one other argument
                }
                arg = splitTopLevel(arg, ',').get(0).trim();
                if (FUNCTION.matcher(arg).matches()) {
                    continue; // not JDBC: a method reference or lambda is no SQL text (an executor's execute)
                }
                String why = unsafe(arg, s, 0);
                if (why != null) {
                    out.add(new Finding(s.file, lineOf(s.text, m.start()), m.group(1) + "(" + clip(arg) + ")", why));
                }
            }
        }
        return out;
    }

    private static boolean usesJdbc(Source s) {
        return s.text.contains("import java.sql.");
    }

    /** Why {@code expr} may hold non-constant text, or null when it is built from constants only. */
    private String unsafe(String expr, Source in, int depth) {
        return unsafe(expr, in, depth, Integer.MAX_VALUE);
    }

    private String unsafe(String expr, Source in, int depth, int before) {
        if (depth > MAX_DEPTH) {
            return "too deep to follow: " + clip(expr);
        }
        for (String operand : splitTopLevel(strip(expr), '+')) {
            String o = strip(operand);
            String why = unsafeOperand(o, in, depth, before);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    private String unsafeOperand(String o, Source in, int depth, int before) {
        if (o.isEmpty()) {
            return "empty operand";
        }
        if (isLiteral(o) || NUMBER.matcher(o).matches() || CONSTANT.matcher(o).matches()) {
            return null;
        }
        if (o.startsWith("String.format(") && o.endsWith(")")) {
            for (String a : splitTopLevel(o.substring("String.format(".length(), o.length() - 1), ',')) {
                String why = unsafe(a, in, depth + 1);
                if (why != null) {
                    return why;
                }
            }
            return null;
        }
        int formatted = o.lastIndexOf(".formatted(");
        if (formatted > 0 && o.endsWith(")")) {
            String why = unsafe(o.substring(0, formatted), in, depth + 1);
            if (why != null) {
                return why;
            }
            for (String a : splitTopLevel(o.substring(formatted + ".formatted(".length(), o.length() - 1), ',')) {
                why = unsafe(a, in, depth + 1);
                if (why != null) {
                    return why;
                }
            }
            return null;
        }
        if (o.endsWith(".toString()") && REFERENCE.matcher(o.substring(0, o.length() - ".toString()".length()))
                .matches()) {
            return unsafeBuilder(o.substring(0, o.length() - ".toString()".length()), in, depth);
        }
        if (REFERENCE.matcher(o).matches()) {
            return unsafeReference(o, in, depth, before);
        }
        return "not a constant: " + clip(o);
    }

    /** A variable or field: every assignment to it must be safe or allowlisted. */
    private String unsafeReference(String ref, Source in, int depth, int before) {
        String name = ref.substring(ref.lastIndexOf('.') + 1);
        boolean qualified = ref.replace("this.", "").contains(".");
        List<Source> where = qualified ? sources : List.of(in);
        Pattern assign = Pattern.compile("(?<![A-Za-z0-9_.])(?:this\\.)?" + Pattern.quote(name) + "\\s*=(?![=])");
        int found = 0;
        // An unqualified name is a local or a field of this file: its nearest assignment before the use is the one
        // in effect (a same-named local of another method comes later or earlier but not nearest); else every one.
        int nearest = -1;
        if (!qualified) {
            Matcher m = assign.matcher(in.text);
            while (m.find() && m.start() < before) {
                if (!insideLiteral(in.text, m.start())) {
                    nearest = m.start();
                }
            }
        }
        for (Source s : where) {
            Matcher m = assign.matcher(s.text);
            while (m.find()) {
                if (insideLiteral(s.text, m.start()) || (nearest >= 0 && m.start() != nearest)) {
                    continue; // "SET version = EXCLUDED.version" is SQL text, not an assignment
                }
                String rhs = statement(s.text, m.end());
                found++;
                if (allowlisted(s.text, m.start())) {
                    continue;
                }
                String why = unsafe(rhs, s, depth + 1, m.start());
                if (why != null) {
                    return "'" + ref + "' is assigned " + clip(rhs) + " at " + s.file + ":" + lineOf(s.text, m.start())
                            + ": " + why;
                }
            }
        }
        if (found == 0) {
            // A loop variable over constant SQL: for (String x : List.of(a, b)) follows a and b.
            Matcher loop = Pattern.compile("for\\s*\\(\\s*(?:final\\s+)?String\\s+" + Pattern.quote(name)
                    + "\\s*:\\s*List\\.of\\(").matcher(in.text);
            if (loop.find()) {
                for (String a : splitTopLevel(argument(in.text, loop.end()), ',')) {
                    String why = unsafe(a, in, depth + 1);
                    if (why != null) {
                        return why;
                    }
                }
                return null;
            }
            return "'" + ref + "' is never assigned in the scanned sources (a parameter?)";
        }
        return null;
    }

    /** A StringBuilder: its constructor argument and every append must be safe. */
    private String unsafeBuilder(String name, Source in, int depth) {
        Matcher init = Pattern.compile("(?<![A-Za-z0-9_.])" + Pattern.quote(name) + "\\s*=\\s*new\\s+StringBuilder\\(")
                .matcher(in.text);
        if (!init.find()) {
            return "'" + name + "' is not a StringBuilder created here";
        }
        String first = argument(in.text, init.end()).trim();
        if (!first.isEmpty() && !NUMBER.matcher(first).matches()) {
            String why = unsafe(first, in, depth + 1);
            if (why != null) {
                return why;
            }
        }
        Matcher append = Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(name) + "\\s*\\.append\\(")
                .matcher(in.text);
        while (append.find()) {
            int at = append.end();
            while (true) {
                String a = argument(in.text, at);
                if (!allowlisted(in.text, append.start())) {
                    String why = unsafe(a, in, depth + 1);
                    if (why != null) {
                        return "appended to '" + name + "' at line " + lineOf(in.text, at) + ": " + why;
                    }
                }
                int close = at + a.length() + 1;
                Matcher chained = Pattern.compile("\\G\\s*\\.append\\(").matcher(in.text);
                if (close < in.text.length() && chained.find(close)) {
                    at = chained.end();
                } else {
                    break;
                }
            }
        }
        return null;
    }

    // --------------------------------------------------------------------------------------------- text helpers

    /** Whether {@code at} lies inside a string or character literal (or a comment) of {@code text}. */
    private static boolean insideLiteral(String text, int at) {
        for (int i = 0; i < at && i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                int end = skipLiteral(text, i);
                if (at <= end) {
                    return true;
                }
                i = end;
            } else if (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '/') {
                int end = text.indexOf('\n', i);
                if (end < 0 || at <= end) {
                    return true;
                }
                i = end;
            } else if (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                if (end < 0 || at <= end + 1) {
                    return true;
                }
                i = end + 1;
            }
        }
        return false;
    }

    private static boolean allowlisted(String text, int at) {
        int line = lineOf(text, at);
        String[] lines = text.split("\n", -1);
        for (int l = Math.max(1, line - 3); l <= line; l++) {
            if (lines[l - 1].contains("//") && lines[l - 1].contains(ALLOW)) {
                return true;
            }
        }
        return false;
    }

    /** The text between the parenthesis opened just before {@code from} and its match. */
    static String argument(String text, int from) {
        int depth = 1;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                i = skipLiteral(text, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return text.substring(from, i);
            }
        }
        return text.substring(from);
    }

    /** The expression from {@code from} to the next top-level semicolon. */
    private static String statement(String text, int from) {
        int depth = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                i = skipLiteral(text, i);
            } else if (c == '(' || c == '{' || c == '[') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            } else if (c == ';' && depth <= 0) {
                return text.substring(from, i);
            }
        }
        return text.substring(from);
    }

    private static int skipLiteral(String text, int start) {
        char q = text.charAt(start);
        if (q == '"' && text.startsWith("\"\"\"", start)) {
            int end = text.indexOf("\"\"\"", start + 3);
            return end < 0 ? text.length() : end + 2;
        }
        for (int i = start + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == q) {
                return i;
            }
        }
        return text.length();
    }

    private static boolean isLiteral(String o) {
        if (o.startsWith("\"\"\"") && o.endsWith("\"\"\"") && o.length() >= 6) {
            return true;
        }
        if ((o.startsWith("\"") && o.endsWith("\"")) || (o.startsWith("'") && o.endsWith("'"))) {
            return o.length() >= 2 && skipLiteral(o, 0) == o.length() - 1;
        }
        return false;
    }

    private static List<String> splitTopLevel(String expr, char separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'') {
                i = skipLiteral(expr, i);
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == separator && depth == 0) {
                parts.add(expr.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(expr.substring(start));
        return parts;
    }

    /** Removes comments, surrounding whitespace and redundant outer parentheses. */
    private static String strip(String s) {
        String t = s.replaceAll("(?m)//[^\\n\"]*$", "").replaceAll("(?s)/\\*.*?\\*/", "").trim();
        while (t.startsWith("(") && t.endsWith(")") && argument(t, 1).length() == t.length() - 2) {
            t = t.substring(1, t.length() - 1).trim();
        }
        return t;
    }

    private static int lineOf(String text, int at) {
        int line = 1;
        for (int i = 0; i < at && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String clip(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() > 120 ? one.substring(0, 117) + "..." : one;
    }
}
