package io.demandcast.model.data;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 CSV parser: comma-separated fields, fields in double quotes may hold commas, line breaks and
 * doubled quotes ({@code ""}). Line ends may be LF or CRLF. It tracks the 1-based line on which each record starts
 * so that errors can name it.
 */
public final class CsvParser {

    private final Reader in;
    private final String source;
    private int line = 1;
    private int recordLine;
    private int pushedBack = -2;
    private final char[] buffer = new char[1 << 16];
    private int position;
    private int limit;

    /** @param source the file name used in error messages */
    public CsvParser(Reader in, String source) {
        this.in = in;
        this.source = source;
    }

    /** Line (1-based) on which the record last returned by {@link #next()} started. */
    public int recordLine() {
        return recordLine;
    }

    /** The next record's fields, or null at the end of input. A blank line is a record of one empty field. */
    public List<String> next() throws IOException {
        int c = read();
        if (c == -1) {
            return null;
        }
        recordLine = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        while (true) {
            if (c == '"' && field.length() == 0) {
                readQuoted(field);
                c = read();
                if (c != ',' && c != '\n' && c != '\r' && c != -1) {
                    throw new SalesDataException(source + ":" + line + ": expected ',' or a line end after a"
                            + " closing quote, got '" + (char) c + "'");
                }
                continue;
            }
            if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' || c == '\n' || c == -1) {
                if (c == '\r') {
                    int d = read();
                    if (d != '\n') {
                        unread(d);
                    }
                }
                if (c != -1) {
                    line++;
                }
                fields.add(field.toString());
                return fields;
            } else {
                field.append((char) c);
            }
            c = read();
        }
    }

    private void readQuoted(StringBuilder field) throws IOException {
        int startLine = line;
        while (true) {
            int c = read();
            if (c == -1) {
                throw new SalesDataException(source + ":" + startLine + ": a quoted field is not closed before the"
                        + " end of the file");
            }
            if (c == '"') {
                int d = read();
                if (d == '"') {
                    field.append('"');
                    continue;
                }
                unread(d);
                return;
            }
            if (c == '\n') {
                line++;
            }
            field.append((char) c);
        }
    }

    private int read() throws IOException {
        if (pushedBack != -2) {
            int c = pushedBack;
            pushedBack = -2;
            return c;
        }
        if (position == limit) {
            limit = in.read(buffer, 0, buffer.length);
            position = 0;
            if (limit <= 0) {
                limit = 0;
                return -1;
            }
        }
        return buffer[position++];
    }

    private void unread(int c) {
        pushedBack = c;
    }
}
