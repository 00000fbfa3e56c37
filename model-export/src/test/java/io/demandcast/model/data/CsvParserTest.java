package io.demandcast.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvParserTest {

    private static List<List<String>> parse(String text) throws IOException {
        CsvParser p = new CsvParser(new StringReader(text), "t.csv");
        List<List<String>> out = new ArrayList<>();
        List<String> r;
        while ((r = p.next()) != null) {
            out.add(r);
        }
        return out;
    }

    @Test
    void quotedFieldsKeepCommasQuotesAndLineBreaks() throws IOException {
        assertThat(parse("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n"))
                .containsExactly(List.of("a", "b", "c"), List.of("x, y", "say \"hi\"", "two\nlines"));
    }

    @Test
    void emptyFieldsAndCrLfLineEndsAndNoFinalLineEnd() throws IOException {
        assertThat(parse("a,,c\r\n,\"\",\r\nlast,1"))
                .containsExactly(List.of("a", "", "c"), List.of("", "", ""), List.of("last", "1"));
    }

    @Test
    void recordLineCountsLinesInsideQuotedFields() throws IOException {
        CsvParser p = new CsvParser(new StringReader("h\n\"a\nb\"\nc\n"), "t.csv");
        p.next();
        assertThat(p.recordLine()).isEqualTo(1);
        p.next();
        assertThat(p.recordLine()).isEqualTo(2);
        assertThat(p.next()).containsExactly("c");
        assertThat(p.recordLine()).isEqualTo(4);
        assertThat(p.next()).isNull();
    }

    @Test
    void unclosedQuoteNamesTheLineWhereItOpened() {
        assertThatThrownBy(() -> parse("h\nok\n\"never closed\nmore\n"))
                .isInstanceOf(SalesDataException.class)
                .hasMessage("t.csv:3: a quoted field is not closed before the end of the file");
    }

    @Test
    void textAfterAClosingQuoteIsAnError() {
        assertThatThrownBy(() -> parse("\"a\"b,c\n"))
                .isInstanceOf(SalesDataException.class)
                .hasMessageContaining("t.csv:1: expected ',' or a line end after a closing quote, got 'b'");
    }
}
