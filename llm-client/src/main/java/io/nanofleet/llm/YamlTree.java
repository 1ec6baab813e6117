package io.nanofleet.llm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A YAML document as a small tree whose every node remembers its line. Jackson's own trees drop locations, and
 * data binding reports only the first problem; reading the token stream keeps both.
 */
final class YamlTree {
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final Pattern MARK = Pattern.compile("in '[^']*', line (\\d+), column \\d+");

    private YamlTree() {
    }

    abstract static class Node {
        final int line;

        Node(int line) {
            this.line = line;
        }

        /** What this node is, for "must be X, found Y" messages (never its value). */
        abstract String kind();
    }

    static final class MapNode extends Node {
        final Map<String, Node> entries = new LinkedHashMap<>();
        final Map<String, Integer> keyLines = new LinkedHashMap<>();

        MapNode(int line) {
            super(line);
        }

        @Override
        String kind() {
            return "a mapping";
        }
    }

    static final class ListNode extends Node {
        final List<Node> items = new ArrayList<>();

        ListNode(int line) {
            super(line);
        }

        @Override
        String kind() {
            return "a list";
        }
    }

    static final class Scalar extends Node {
        final JsonToken token;
        final String text;
        final BigDecimal number;

        Scalar(int line, JsonToken token, String text, BigDecimal number) {
            super(line);
            this.token = token;
            this.text = text;
            this.number = number;
        }

        @Override
        String kind() {
            switch (token) {
                case VALUE_STRING:
                    return "text";
                case VALUE_NUMBER_INT:
                    return "a whole number";
                case VALUE_NUMBER_FLOAT:
                    return "a decimal number";
                case VALUE_TRUE:
                case VALUE_FALSE:
                    return "true/false";
                case VALUE_NULL:
                    return "nothing";
                default:
                    return "a " + token;
            }
        }
    }

    /**
     * @return the document's root, or null when the text is not YAML (the reason added to {@code problems})
     *         or has no content (nothing added)
     */
    static Node parse(String text, List<String> problems) {
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            Node root = read(p, problems);
            if (p.nextToken() != null) {
                problems.add("line " + line(p) + ": only one YAML document is read; remove the second one");
            }
            return root;
        } catch (JsonProcessingException e) {
            int line = problemLine(e);
            problems.add((line > 0 ? "line " + line + ": " : "") + "not valid YAML: " + description(e));
            return null;
        } catch (IOException e) {
            // A String source does no I/O; this is the parser's checked signature only.
            problems.add("not readable: " + e.getMessage());
            return null;
        }
    }

    private static Node read(JsonParser p, List<String> problems) throws IOException {
        int line = line(p);
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            MapNode map = new MapNode(line);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int keyLine = line(p);
                p.nextToken();
                Node value = read(p, problems);
                if (map.entries.containsKey(key)) {
                    problems.add("line " + keyLine + ": " + shown(key) + " is set twice (first on line "
                            + map.keyLines.get(key) + ")");
                    continue;
                }
                map.entries.put(key, value);
                map.keyLines.put(key, keyLine);
            }
            return map;
        }
        if (t == JsonToken.START_ARRAY) {
            ListNode list = new ListNode(line);
            while (p.nextToken() != JsonToken.END_ARRAY) {
                list.items.add(read(p, problems));
            }
            return list;
        }
        BigDecimal number = t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT ? p.getDecimalValue() : null;
        String text = t == JsonToken.VALUE_STRING ? p.getText() : null;
        return new Scalar(line, t, text, number);
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    /** A key name as messages show it: quoted, and cut short, so a pasted secret cannot ride along whole. */
    static String shown(String key) {
        String k = key.length() > 30 ? key.substring(0, 30) + "..." : key;
        return "'" + k.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    /**
     * Where the problem is. SnakeYAML names up to two places, where the construct began and where it went wrong,
     * in that order; Jackson's location is sometimes the first. The last one is the line to fix.
     */
    private static int problemLine(JsonProcessingException e) {
        Matcher m = MARK.matcher(e.getOriginalMessage() == null ? "" : e.getOriginalMessage());
        int line = -1;
        while (m.find()) {
            line = Integer.parseInt(m.group(1));
        }
        if (line > 0) {
            return line;
        }
        return e.getLocation() == null ? -1 : e.getLocation().getLineNr();
    }

    /**
     * The parser's explanation without the snippet of the file it quotes: the quoted line could be one that
     * holds a key. SnakeYAML puts the snippet on indented lines and the position on "in 'reader'" lines.
     */
    private static String description(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        String kept = message.lines()
                .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)) && !l.startsWith("in '"))
                .map(String::strip)
                .collect(Collectors.joining("; "));
        return kept.isEmpty() ? "syntax error" : kept;
    }
}
