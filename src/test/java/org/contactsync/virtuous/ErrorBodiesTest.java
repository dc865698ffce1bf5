package org.contactsync.virtuous;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every error body shape shared/reference/virtuous-api.md §5.1 lists, and the odd ones the same sources allow. */
class ErrorBodiesTest {

    @Test
    void readsTheAspNetShapeSeenInTheField() {
        assertThat(ErrorBodies.message("""
                {"message":"The request is invalid.","modelState":{"contact.email":["Invalid email","Too long"]}}"""))
                .isEqualTo("The request is invalid.; contact.email: Invalid email, Too long");
    }

    @Test
    void readsTheAspNetMessageAloneAndItsBodyWideErrors() {
        assertThat(ErrorBodies.message("{\"message\":\"The argument cannot be null\"}")).isEqualTo("The argument cannot be null");
        assertThat(ErrorBodies.message("{\"message\":\"Authorization has been denied for this request.\"}"))
                .isEqualTo("Authorization has been denied for this request.");
        assertThat(ErrorBodies.message("""
                {"message":"The request is invalid.","modelState":{"":["Unexpected end of content"],"contact":null}}"""))
                .isEqualTo("The request is invalid.; Unexpected end of content");
    }

    @Test
    void readsTheDocumentedTargetShape() {
        assertThat(ErrorBodies.message("""
                {"error":{"code":"VALIDATION_FAILED","message":"Invalid.","details":[{"field":"contactType","code":"INVALID","message":"unknown type"}]}}"""))
                .isEqualTo("VALIDATION_FAILED; Invalid.; contactType: unknown type");
    }

    @Test
    void readsTargetDetailsThatCarryOnlyACodeOrPlainText() {
        assertThat(ErrorBodies.message("""
                {"error":{"code":"CONFLICT","message":"Email in use.","details":[{"field":"email","code":"DUPLICATE"},"see Contact 7",{"field":"x"}]}}"""))
                .isEqualTo("CONFLICT; Email in use.; email: DUPLICATE; see Contact 7");
        assertThat(ErrorBodies.message("""
                {"error":{"code":"RATE_LIMITED","message":"Rate limit exceeded. Retry after 847 seconds.","details":[]}}"""))
                .isEqualTo("RATE_LIMITED; Rate limit exceeded. Retry after 847 seconds.");
    }

    @Test
    void readsOAuthStyleAndErrorsMaps() {
        assertThat(ErrorBodies.message("{\"error\":\"invalid_grant\",\"error_description\":\"expired\",\"errors\":{\"x\":[\"bad\"]}}"))
                .isEqualTo("invalid_grant; expired; x: bad");
    }

    @Test
    void readsTheClientLibraryShapeWithItsMessageAndData() {
        assertThat(ErrorBodies.message("""
                {"message":"Validation failed","error":null,"errors":{"amount":"must be positive"},"data":{"id":3}}"""))
                .isEqualTo("Validation failed; amount: must be positive");
    }

    @Test
    void toleratesPlainTextAndEmptyBodies() {
        assertThat(ErrorBodies.message("Authorization has been denied for this request.")).isEqualTo("Authorization has been denied for this request.");
        assertThat(ErrorBodies.message("\"Authorization has been denied for this request.\"")).isEqualTo("Authorization has been denied for this request.");
        assertThat(ErrorBodies.message("")).isNull();
        assertThat(ErrorBodies.message("  ")).isNull();
        assertThat(ErrorBodies.message(null)).isNull();
        assertThat(ErrorBodies.message("<html>502 Bad Gateway</html>")).isEqualTo("<html>502 Bad Gateway</html>");
    }

    @Test
    void cutsLongPlainTextSuchAsAGatewayErrorPage() {
        String page = "<html>" + "x".repeat(2000) + "</html>";

        assertThat(ErrorBodies.message(page)).hasSize(501).endsWith("…");
    }

    @Test
    void keepsAJsonBodyItCannotReadAsItIs() {
        assertThat(ErrorBodies.message("{\"status\":500}")).isEqualTo("{\"status\":500}");
        assertThat(ErrorBodies.message("[\"odd\"]")).isEqualTo("[\"odd\"]");
    }
}
