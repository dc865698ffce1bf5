package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code POST /api/Contact/Query} and {@code POST /api/Contact/Query/FullContact} (virtuous-api.md §3.5), filtered by
 * a {@link ContactQuery}. {@code skip} and {@code take} are query-string parameters (the endpoint registry,
 * nucleus-engine; a body {@code skip}/{@code take}, which one docs guide shows, is ignored, so a client sending them
 * there gets the first 10). {@code take} defaults to 10 and may be at most 1000 (Postman text); more is a 400 rather
 * than a silent cut, so a client learns the limit in its tests. Both answer {@code {"list": [...], "total": n}}, total
 * counting every match: Query lists the documented abbreviated shape, FullContact the GET shape [INF].
 */
final class ContactQueryEndpoints {

    private static final int MAX_TAKE = 1000;
    private static final int DEFAULT_TAKE = 10;

    private final ContactStore store;
    private final ApiErrors errors;
    private final OrganisationLists organisation;

    ContactQueryEndpoints(ContactStore store, ApiErrors errors, OrganisationLists organisation) {
        this.organisation = organisation;
        this.store = store;
        this.errors = errors;
    }

    void register(ApiRouter router) {
        router.add("POST", "Contact/Query", (request, parameters) -> query(request, StoredContact::toQueryJson))
                .add("POST", "Contact/Query/FullContact", (request, parameters) -> query(request, StoredContact::toJson));
    }

    private ApiResponse query(ApiRequest request, Function<StoredContact, Map<String, Object>> view) {
        List<FieldError> pagingErrors = new ArrayList<>();
        int skip = paging(request, "skip", 0, 0, Integer.MAX_VALUE, pagingErrors);
        int take = paging(request, "take", DEFAULT_TAKE, 1, MAX_TAKE, pagingErrors);
        if (!pagingErrors.isEmpty()) {
            return errors.invalidRequest(null, pagingErrors);
        }
        return BindingModel.CONTACT_QUERY.bind(request, errors, body -> {
            ContactQuery query = ContactQuery.of(body, organisation);
            List<StoredContact> found = store.select(query::matches).stream().sorted(query.order()).toList();
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("list", found.stream().skip(skip).limit(take).map(view).toList());
            json.put("total", found.size());
            return ApiResponse.json(200, json);
        });
    }

    private static int paging(ApiRequest request, String name, int fallback, int min, int max, List<FieldError> problems) {
        String text = request.queryParameter(name);
        if (text == null) {
            return fallback;
        }
        if (text.matches("\\d{1,9}") && Integer.parseInt(text) >= min && Integer.parseInt(text) <= max) {
            return Integer.parseInt(text);
        }
        problems.add(new FieldError(name, "INVALID_VALUE", name + " must be a whole number from " + min + " to " + max + ", not '" + text + "'."));
        return fallback;
    }
}
