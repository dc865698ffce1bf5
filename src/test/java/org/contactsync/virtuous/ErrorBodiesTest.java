package org.contactsync.virtuous;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorBodiesTest {

    @Test
    void readsTheAspNetShapeSeenInTheField() {
        assertThat(ErrorBodies.message("""
                {"message":"The request is invalid.","modelState":{"contact.email":["Invalid email","Too long"]}}"""))
                .isEqualTo("The request is invalid.; contact.email: Invalid email, Too long");
    }

    @Test
    void readsTheDocumentedTargetShape() {
        assertThat(ErrorBodies.message("""
                {"error":{"code":"VALIDATION_FAILED","message":"Invalid.","details":[{"field":"contactType","code":"INVALID","message":"unknown type"}]}}"""))
                .isEqualTo("VALIDATION_FAILED; Invalid.; contactType: unknown type");
    }

    @Test
    void readsOAuthStyleAndErrorsMaps() {
        assertThat(ErrorBodies.message("{\"error\":\"invalid_grant\",\"error_description\":\"expired\",\"errors\":{\"x\":[\"bad\"]}}"))
                .isEqualTo("invalid_grant; expired; x: bad");
    }

    @Test
    void toleratesPlainTextAndEmptyBodies() {
        assertThat(ErrorBodies.message("Authorization has been denied for this request.")).isEqualTo("Authorization has been denied for this request.");
        assertThat(ErrorBodies.message("")).isNull();
        assertThat(ErrorBodies.message(null)).isNull();
        assertThat(ErrorBodies.message("<html>502 Bad Gateway</html>")).isEqualTo("<html>502 Bad Gateway</html>");
    }
}
