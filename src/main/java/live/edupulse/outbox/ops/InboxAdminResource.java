package live.edupulse.outbox.ops;

import static live.edupulse.outbox.ops.AdminJson.json;
import static live.edupulse.outbox.ops.AdminJson.oneEvent;
import static live.edupulse.outbox.ops.AdminJson.text;
import static live.edupulse.outbox.ops.AdminJson.uuid;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import live.edupulse.inbox.Inbox;
import live.edupulse.inbox.InboxAdministration;
import live.edupulse.inbox.api.InboxConsumer;

/**
 * The inbox over HTTP, behind the role {@code outbox-admin} and the same request guard as the
 * outbox's API ({@code /api/inbox/*}): the consumers with their held, retrying and parked counts;
 * a consumer's events of one status; retry or discard one event; skip an aggregate's gap.
 */
@Path("inbox")
@Produces(MediaType.APPLICATION_JSON)
public class InboxAdminResource {

    private static final Set<String> STATUSES = Set.of("held", "retry", "parked");

    @Inject
    Inbox inbox;

    @Inject
    InboxAdministration administration;

    @Context
    SecurityContext security;

    @GET
    public String consumers() {
        List<Map<String, Object>> consumers = new ArrayList<>();
        for (String name : inbox.consumerNames()) {
            Map<String, Object> consumer = new LinkedHashMap<>();
            consumer.put("name", name);
            consumer.putAll(administration.counts(name));
            consumers.add(consumer);
        }
        return json(Map.of("connected", inbox.isConnected(), "consumers", consumers));
    }

    @GET
    @Path("{consumer}/events")
    public String events(@PathParam("consumer") String consumer, @QueryParam("status") String status,
                         @QueryParam("aggregateType") String aggregateType, @QueryParam("aggregateId") String aggregateId,
                         @QueryParam("limit") String limit) {
        String name = consumer(consumer).name();
        String wanted = status == null ? "parked" : status;
        if (!STATUSES.contains(wanted)) {
            throw AdminProblem.badParameter("status", "status must be held, retry or parked");
        }
        int size = limit == null ? 100 : number(limit);
        String type = text("aggregateType", aggregateType);
        String id = text("aggregateId", aggregateId);
        if (id != null && type == null) {
            throw AdminProblem.badParameter("aggregateType", "aggregateId needs aggregateType");
        }
        return json(Map.of("consumer", name, "status", wanted, "events", administration.list(name, wanted, type, id, size)));
    }

    @POST
    @Path("{consumer}/events/{id}/retry")
    public String retry(@PathParam("consumer") String consumer, @PathParam("id") String id) {
        UUID messageId = uuid(id);
        return oneEvent(administration.retry(consumer(consumer), messageId, operator()), "retried", messageId,
                "is not parked in this inbox");
    }

    @POST
    @Path("{consumer}/events/{id}/discard")
    public String discard(@PathParam("consumer") String consumer, @PathParam("id") String id) {
        UUID messageId = uuid(id);
        return oneEvent(administration.discard(consumer(consumer), messageId, operator()), "discarded", messageId,
                "is neither parked nor retrying in this inbox");
    }

    @POST
    @Path("{consumer}/aggregates/skip-gap")
    public String skipGap(@PathParam("consumer") String consumer, @QueryParam("aggregateType") String aggregateType,
                          @QueryParam("aggregateId") String aggregateId) {
        if (aggregateType == null || aggregateType.isBlank() || aggregateId == null || aggregateId.isBlank()) {
            throw AdminProblem.badParameter("aggregateType", "aggregateType and aggregateId are required");
        }
        long[] skipped = administration.skipGap(consumer(consumer), aggregateType, aggregateId, operator())
                .orElseThrow(() -> new AdminProblem(409, "No gap", aggregateType + "/" + aggregateId
                        + " holds no event behind a gap in this inbox", "aggregateId"));
        return json(Map.of("skippedFrom", skipped[0], "skippedTo", skipped[1]));
    }

    private InboxConsumer consumer(String name) {
        return inbox.consumer(name).orElseThrow(() -> new AdminProblem(404, "Not found",
                "no inbox consumer named " + (name.length() > 100 ? name.substring(0, 100) : name), "consumer"));
    }

    private String operator() {
        return security.getUserPrincipal() == null ? "unknown" : security.getUserPrincipal().getName();
    }

    private static int number(String value) {
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= 1 && number <= 500) {
                return number;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw AdminProblem.badParameter("limit", "limit must be a whole number between 1 and 500");
    }



}
