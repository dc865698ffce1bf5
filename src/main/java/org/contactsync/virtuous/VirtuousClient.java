package org.contactsync.virtuous;

import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Both ends of the one route that talks to Virtuous ({@code virtuous-call}): turns the {@link VirtuousRequest} in the
 * {@code virtuousRequest} variable into an HTTP request, and the answer into a body (parsed JSON, or null for 404 and
 * empty answers) or a {@link VirtuousApiException}. The route strips every message header before the call, so nothing
 * from an inbound request leaks into Virtuous, and removes the Authorization header right after it.
 */
public class VirtuousClient {

    public static final String REQUEST = "virtuousRequest";
    private static final String AUTHORIZATION = "Authorization";

    private final Supplier<String> apiKey;
    private final ObjectMapper json = new ObjectMapper();

    public VirtuousClient(Supplier<String> apiKey) {
        this.apiKey = apiKey;
    }

    public void prepareRequest(Exchange exchange) throws JsonProcessingException {
        VirtuousRequest request = exchange.getVariable(REQUEST, VirtuousRequest.class);
        Message message = exchange.getMessage();
        int query = request.pathAndQuery().indexOf('?');
        message.setHeader(Exchange.HTTP_METHOD, request.method());
        message.setHeader(Exchange.HTTP_PATH, query < 0 ? request.pathAndQuery() : request.pathAndQuery().substring(0, query));
        message.setHeader(Exchange.HTTP_QUERY, query < 0 ? null : request.pathAndQuery().substring(query + 1));
        message.setHeader(AUTHORIZATION, "Bearer " + apiKey.get());
        message.setHeader("Accept", "application/json");
        Object body = request.submit() == null ? request.body() : request.submit().mark();
        if (request.submit() != null && body == null) {
            throw new RequestWithdrawnException(request.operation());
        }
        if (body == null) {
            message.setBody(null);
        } else {
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
            message.setBody(json.writeValueAsString(body));
        }
    }

    public Object readResponse(Exchange exchange) throws JsonProcessingException {
        Message message = exchange.getMessage();
        VirtuousRequest request = exchange.getVariable(REQUEST, VirtuousRequest.class);
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String body = message.getBody(String.class);
        if (status == 404) {
            return null;
        }
        if (status >= 500 && status != 503 && request.creates()) {
            // a 500, 502 or 504 can come after the server wrote; 503 is the server saying it did not take the request
            throw new UnansweredRequestException(request.operation(), "HTTP " + status, null);
        }
        if (status < 200 || status > 299) {
            throw new VirtuousApiException(request.operation(), status, ErrorBodies.message(body));
        }
        return body == null || body.isBlank() ? null : json.readValue(body, Object.class);
    }

    @Override
    public String toString() {
        return "VirtuousClient";
    }
}
