package dev.sessionops.claude.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PagingTest {

    @Test
    void defaultsAndBounds() {
        assertEquals(new Paging(0, 50), Paging.of(null, null));
        assertEquals(new Paging(0, 50), Paging.of("", ""));
        assertEquals(new Paging(7, 1), Paging.of("7", "1"));
        assertEquals(new Paging(0, 500), Paging.of("0", "500"));
    }

    @Test
    void badValuesAre400WithAMessageNamingTheParameter() {
        assertBad(null, "0", "limit must be between 1 and 500, got 0");
        assertBad(null, "501", "limit must be between 1 and 500, got 501");
        assertBad(null, "-3", "limit must be between 1 and 500, got -3");
        assertBad(null, "ten", "limit must be a whole number, got \"ten\"");
        assertBad("-1", null, "offset must be 0 or more, got -1");
        assertBad("1.5", "10", "offset must be a whole number, got \"1.5\"");
    }

    private static void assertBad(String offset, String limit, String message) {
        ApiException e = assertThrows(ApiException.class, () -> Paging.of(offset, limit));
        assertEquals(400, e.status());
        assertEquals(ApiError.of(400, "BadRequest", message, null), e.toError());
    }
}
