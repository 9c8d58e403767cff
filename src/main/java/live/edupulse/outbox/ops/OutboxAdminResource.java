package live.edupulse.outbox.ops;

import static live.edupulse.outbox.ops.AdminJson.JSON;
import static live.edupulse.outbox.ops.AdminJson.json;
import static live.edupulse.outbox.ops.AdminJson.oneEvent;
import static live.edupulse.outbox.ops.AdminJson.text;
import static live.edupulse.outbox.ops.AdminJson.uuid;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The admin API, {@code /edupulse/api/outbox}, for the role {@code outbox-admin} (web.xml). Bad
 * parameters get a 400 problem naming the parameter, and a refused call changes nothing.
 * {@link AdminRequestGuard} refuses changes that are not JSON or come from another site before
 * they reach this class. Listings page by offset up to {@link EventListing#MAX_OFFSET} rows, and
 * beyond by keyset ({@code after}, the {@code nextAfter} of the previous page).
 */
@Path("outbox")
@Produces(MediaType.APPLICATION_JSON)
public class OutboxAdminResource {

    private static final int MAX_PAGE_SIZE = 200;
    private static final int MAX_REASON_LENGTH = 500;

    @Inject
    OutboxAdministration administration;

    @Inject
    OutboxHistory history;

    @Context
    SecurityContext security;

    @GET
    @Path("summary")
    public String summary() {
        return json(administration.summary());
    }

    /** The last hour per minute, oldest first: published and failed on this instance, the backlog counted. */
    @GET
    @Path("history")
    public String history() {
        return json(Map.of("minutes", history.lastHour()));
    }

    @GET
    @Path("events")
    public String events(@QueryParam("status") String status, @QueryParam("aggregateType") String aggregateType,
                         @QueryParam("aggregateId") String aggregateId, @QueryParam("eventType") String eventType,
                         @QueryParam("minAgeSeconds") String minAgeSeconds, @QueryParam("page") String page,
                         @QueryParam("size") String size, @QueryParam("after") String after) {
        int pageSize = number("size", size, 50, 1, MAX_PAGE_SIZE);
        Long afterSeq = after == null ? null : seq(after);
        int pageNumber = number("page", page, 0, 0, Integer.MAX_VALUE);
        if (afterSeq != null && pageNumber != 0) {
            throw AdminProblem.badParameter("page", "page and after exclude each other: after continues from an event");
        }
        if ((long) pageNumber * pageSize > EventListing.MAX_OFFSET) {
            throw AdminProblem.badParameter("page", "page * size may be at most " + EventListing.MAX_OFFSET
                    + "; to read further, pass after=<nextAfter of the previous page> instead of page");
        }
        OutboxAdministration.Filter filter = new OutboxAdministration.Filter(status(status),
                text("aggregateType", aggregateType), text("aggregateId", aggregateId), text("eventType", eventType),
                minAgeSeconds == null ? null : (long) number("minAgeSeconds", minAgeSeconds, 0, 0, Integer.MAX_VALUE),
                pageNumber, pageSize, afterSeq);
        List<OutboxAdministration.EventView> found = administration.events(filter);
        List<OutboxAdministration.EventView> items = found.size() > pageSize ? found.subList(0, pageSize) : found;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("page", filter.page());
        body.put("size", pageSize);
        body.put("hasMore", found.size() > pageSize);
        body.put("nextAfter", found.size() > pageSize ? items.get(items.size() - 1).seq() : null);
        return json(body);
    }

    @POST
    @Path("events/{id}/retry")
    public String retry(@PathParam("id") String id) {
        UUID eventId = uuid(id);
        return oneEvent(administration.retry(eventId, operator()), "retried", eventId,
                "is not parked (unknown, pending or already delivered)");
    }

    @POST
    @Path("events/retry")
    public String retryAll(@QueryParam("aggregateType") String aggregateType, @QueryParam("aggregateId") String aggregateId,
                           @QueryParam("eventType") String eventType) {
        String type = text("aggregateType", aggregateType);
        String id = text("aggregateId", aggregateId);
        String event = text("eventType", eventType);
        if (id != null && type == null) {
            throw AdminProblem.badParameter("aggregateType", "aggregateId needs aggregateType");
        }
        if (type == null && event == null) {
            throw AdminProblem.badParameter("aggregateType",
                    "name an aggregate (aggregateType, aggregateId) or an eventType: retrying everything at once is not offered");
        }
        return json(Map.of("retried", administration.retryAll(type, id, event, operator())));
    }

    @POST
    @Path("events/{id}/discard")
    @Consumes(MediaType.APPLICATION_JSON)
    public String discard(@PathParam("id") String id, String body) {
        UUID eventId = uuid(id);
        String reason = reason(body);
        return oneEvent(administration.discard(eventId, reason, operator()), "discarded", eventId,
                "is not parked: only parked events can be discarded");
    }

    @POST
    @Path("pause")
    public String pause() {
        administration.setPaused(true, operator());
        return json(Map.of("paused", true));
    }

    @POST
    @Path("resume")
    public String resume() {
        administration.setPaused(false, operator());
        return json(Map.of("paused", false));
    }

    private String operator() {
        return security.getUserPrincipal() == null ? "unknown" : security.getUserPrincipal().getName();
    }

    private static OutboxAdministration.Status status(String status) {
        if (status == null) {
            return OutboxAdministration.Status.PARKED;
        }
        try {
            return OutboxAdministration.Status.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw AdminProblem.badParameter("status", "status must be pending, parked or discarded");
        }
    }

    private static int number(String parameter, String value, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value.trim());
            if (number < min || number > max) {
                throw AdminProblem.badParameter(parameter, parameter + " must be between " + min + " and " + max);
            }
            return number;
        } catch (NumberFormatException e) {
            throw AdminProblem.badParameter(parameter, parameter + " must be a whole number");
        }
    }


    private static long seq(String after) {
        try {
            long seq = Long.parseLong(after.trim());
            if (seq >= 0) {
                return seq;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw AdminProblem.badParameter("after", "after must be the nextAfter of a previous page (a whole number, 0 or more)");
    }


    private static String reason(String body) {
        JsonNode reason;
        try {
            reason = body == null || body.isBlank() ? null : JSON.readTree(body).get("reason");
        } catch (JsonProcessingException e) {
            throw AdminProblem.badParameter("reason", "the body must be JSON: {\"reason\": \"...\"}");
        }
        if (reason == null || !reason.isTextual() || reason.asText().isBlank()) {
            throw AdminProblem.badParameter("reason", "a discard needs a reason: {\"reason\": \"...\"}");
        }
        String text = reason.asText();
        if (text.codePointCount(0, text.length()) > MAX_REASON_LENGTH) {
            throw AdminProblem.badParameter("reason", "reason must be at most " + MAX_REASON_LENGTH + " characters");
        }
        if (text.codePoints().anyMatch(OutboxAdminResource::breaksALogLine)) {
            throw AdminProblem.badParameter("reason",
                    "reason must be one line of printable characters (no line breaks, tabs or other control characters)");
        }
        return text;
    }

    /** Control characters (line breaks and tabs included) and Unicode's line and paragraph separators. */
    private static boolean breaksALogLine(int codePoint) {
        return Character.isISOControl(codePoint) || codePoint == '\u2028' || codePoint == '\u2029';
    }

}
