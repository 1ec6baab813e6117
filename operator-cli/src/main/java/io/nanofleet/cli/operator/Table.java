package io.nanofleet.cli.operator;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain text table: an upper-case header, columns left-aligned two spaces apart, no trailing blanks, no
 * colours. Cells are single-line (new lines become spaces); an empty value prints as {@code -}.
 */
public final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private String empty = "-";

    public Table(String... headers) {
        this.headers = new ArrayList<>();
        for (String h : headers) {
            this.headers.add(h.toUpperCase(Locale.ROOT));
        }
    }

    /** What an empty cell prints as (default {@code -}). */
    public Table emptyAs(String s) {
        empty = s;
        return this;
    }

    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size() + " columns");
        }
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            String v = cell(c);
            r.add(v.equals("-") && (c == null || String.valueOf(c).isBlank()) ? empty : v);
        }
        rows.add(r);
        return this;
    }

    public int size() {
        return rows.size();
    }

    static String cell(Object c) {
        String s = c == null ? "" : String.valueOf(c);
        s = s.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ').strip();
        return s.isEmpty() ? "-" : s;
    }

    public List<String> lines() {
        int[] w = new int[headers.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = headers.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        List<String> out = new ArrayList<>();
        out.add(line(headers, w));
        for (List<String> r : rows) {
            out.add(line(r, w));
        }
        return out;
    }

    private static String line(List<String> cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            sb.append(c);
            if (i < cells.size() - 1) {
                sb.append(" ".repeat(w[i] - c.length() + 2));
            }
        }
        return sb.toString().stripTrailing();
    }

    public void print(PrintWriter out) {
        lines().forEach(out::println);
        out.flush();
    }

    /** Key/value lines for one object: keys padded to one width. */
    public static void pairs(PrintWriter out, Object... kv) {
        int w = 0;
        for (int i = 0; i < kv.length; i += 2) {
            w = Math.max(w, String.valueOf(kv[i]).length());
        }
        for (int i = 0; i + 1 < kv.length; i += 2) {
            String k = String.valueOf(kv[i]);
            out.println((k + " ".repeat(w - k.length() + 2) + cell(kv[i + 1])).stripTrailing());
        }
        out.flush();
    }
}
