package org.contactsync.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContactLookupTest {

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final SandboxHttp http = new SandboxHttp(sandbox);
    private long ada;
    private long grace;

    @BeforeEach
    void start() {
        sandbox.start();
        ada = sandbox.seedContact(Map.of("firstName", "Ada", "lastName", "Lovelace", "email", "Ada@Example.org",
                "referenceSource", "Partner Platform", "referenceId", "donor/1001"));
        grace = sandbox.seedContact(Map.of("firstName", "Grace", "lastName", "Hopper", "email", "grace+gifts@example.org"));
    }

    @AfterEach
    void stop() {
        sandbox.stop();
    }

    @Test
    void findsByReference() {
        HttpResponse<String> response = http.get("/api/Contact/Find?referenceSource=Partner%20Platform&referenceId=donor%2F1001");

        assertEquals(200, response.statusCode());
        assertEquals(ada, idOf(response));
    }

    @Test
    void findsByEmailIgnoringCase() {
        assertEquals(ada, idOf(http.get("/api/Contact/Find?email=ada%40example.ORG")));
        assertEquals(grace, idOf(http.get("/api/Contact/Find?email=" + SandboxHttp.encode("grace+gifts@example.org"))));
    }

    @Test
    void referenceWinsOverEmail() {
        HttpResponse<String> response = http.get("/api/Contact/Find?email=" + SandboxHttp.encode("grace+gifts@example.org")
                + "&referenceSource=Partner%20Platform&referenceId=donor%2F1001");

        assertEquals(ada, idOf(response));
    }

    @Test
    void noMatchIsA404WithAnEmptyBody() {
        HttpResponse<String> response = http.get("/api/Contact/Find?referenceSource=Partner%20Platform&referenceId=donor-9");

        assertEquals(404, response.statusCode());
        assertEquals("", response.body());
        assertEquals("0", response.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void findWithoutCriteriaIsA400() {
        HttpResponse<String> response = http.get("/api/Contact/Find?referenceSource=Partner%20Platform");

        assertEquals(400, response.statusCode());
        assertEquals("The request is invalid.", SandboxHttp.object(response).get("message"));
        assertEquals(Map.of("email", List.of("Provide email, or both referenceSource and referenceId.")),
                SandboxHttp.object(response).get("modelState"));
    }

    @Test
    void getsById() {
        assertEquals(grace, idOf(http.get("/api/Contact/" + grace)));

        HttpResponse<String> missing = http.get("/api/Contact/999999");
        assertEquals(404, missing.statusCode());
        assertEquals("", missing.body());
    }

    @Test
    void getsByPercentEncodedReferenceSegments() {
        assertEquals(ada, idOf(http.get("/api/Contact/Partner%20Platform/donor%2F1001")));
        assertEquals(404, http.get("/api/Contact/Partner%20Platform/donor-1002").statusCode());
    }

    @Test
    void routesIgnoreCaseLikeAspNet() {
        assertEquals(ada, idOf(http.get("/api/contact/find?email=ada%40example.org")));
    }

    @Test
    void servesTheContactTypes() {
        HttpResponse<String> response = http.get("/api/Contact/Types");

        assertEquals("[{\"parentType\":\"Household\",\"type\":\"Household\"},{\"parentType\":\"Organization\",\"type\":\"Organization\"},"
                + "{\"parentType\":\"Organization\",\"type\":\"Foundation\"},{\"parentType\":\"Organization\",\"type\":\"Church\"}]",
                response.body());
    }

    @Test
    void unknownRoutesAre404AndWrongMethods405() {
        HttpResponse<String> unknown = http.get("/api/Nothing/Here");
        assertEquals(404, unknown.statusCode());
        assertEquals("", unknown.body());
        assertEquals(404, http.get("/apix/Contact/Types").statusCode());

        HttpResponse<String> wrongMethod = http.post("/api/Contact/Find", "{}");
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("GET", wrongMethod.headers().firstValue("Allow").orElseThrow());
        assertEquals("The requested resource does not support http method 'POST'.", SandboxHttp.object(wrongMethod).get("message"));
    }

    private static long idOf(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return ((Number) SandboxHttp.object(response).get("id")).longValue();
    }
}
