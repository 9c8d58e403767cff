package live.edupulse.outbox.ops;

import static live.edupulse.outbox.ops.AdminJson.JSON;
import static live.edupulse.outbox.ops.AdminJson.json;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import live.edupulse.outbox.replay.InvalidReplayRequestException;
import live.edupulse.outbox.replay.ReplayJob;
import live.edupulse.outbox.replay.ReplayNotFoundException;
import live.edupulse.outbox.replay.ReplayRefusedException;
import live.edupulse.outbox.replay.ReplayRequest;
import live.edupulse.outbox.replay.ReplayUnavailableException;
import live.edupulse.outbox.replay.Replays;

/**
 * Replay jobs over HTTP ({@code /api/outbox/replays}, role {@code outbox-admin}, the admin request
 * guard): start one ({@code POST}, JSON body: {@code queue}, {@code eventTypes}, optional
 * {@code aggregateType}, {@code aggregateId}, {@code from}, {@code to} as ISO-8601 instants,
 * {@code rate} per second), list the recent ones with their progress, read one, cancel one. A
 * request the replay cannot serve is a 409 problem naming the field; an unreachable broker a 503;
 * an unknown job a 404.
 */
@Path("outbox/replays")
@Produces(MediaType.APPLICATION_JSON)
public class ReplayAdminResource {

    private static final int MAX_BODY = 16 * 1024;

    @Inject
    Replays replays;

    @Context
    SecurityContext security;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(InputStream stream) throws IOException {
        // read at most one byte past the limit: a large body is refused without holding it
        byte[] bytes = stream.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new AdminProblem(413, "Request too large", "a replay request is at most " + MAX_BODY + " bytes", "body");
        }
        ReplayRequest request = parse(new String(bytes, StandardCharsets.UTF_8));
        try {
            ReplayJob job = replays.request(request, operator());
            return Response.status(201).header("Location", "replays/" + job.id()).entity(json(view(job))).build();
        } catch (InvalidReplayRequestException e) {
            throw AdminProblem.badParameter(e.field(), e.getMessage());
        } catch (ReplayRefusedException e) {
            throw new AdminProblem(409, e.title(), e.getMessage(), e.field());
        } catch (ReplayUnavailableException e) {
            throw new AdminProblem(503, "Broker unavailable", e.getMessage(), "queue");
        }
    }

    @GET
    public String list() {
        List<Map<String, Object>> jobs = new ArrayList<>();
        replays.recent(50).forEach(job -> jobs.add(view(job)));
        return json(Map.of("replays", jobs));
    }

    @GET
    @Path("{id}")
    public String get(@PathParam("id") String id) {
        return json(view(replays.find(uuid(id)).orElseThrow(() -> new AdminProblem(404, "Not found",
                "no replay " + id, "id"))));
    }

    @POST
    @Path("{id}/cancel")
    public String cancel(@PathParam("id") String id) {
        try {
            return json(view(replays.cancel(uuid(id), operator())));
        } catch (ReplayNotFoundException e) {
            throw new AdminProblem(404, "Not found", e.getMessage(), "id");
        } catch (ReplayRefusedException e) {
            throw new AdminProblem(409, e.title(), e.getMessage(), e.field());
        }
    }

    private static ReplayRequest parse(String body) {
        if (body == null || body.isBlank()) {
            throw AdminProblem.badParameter("body", "a JSON object with queue and eventTypes is required");
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw AdminProblem.badParameter("body", "the body is not JSON: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw AdminProblem.badParameter("body", "the body must be a JSON object");
        }
        List<String> eventTypes = new ArrayList<>();
        JsonNode types = tree.get("eventTypes");
        if (types != null && !types.isArray()) {
            throw AdminProblem.badParameter("eventTypes", "eventTypes must be an array of topic patterns");
        }
        if (types != null) {
            types.forEach(type -> eventTypes.add(type.isTextual() ? type.asText() : type.toString()));
        }
        JsonNode rate = tree.get("rate");
        if (rate != null && !rate.isNull() && !rate.canConvertToInt()) {
            throw AdminProblem.badParameter("rate", "rate must be a whole number of events per second");
        }
        return new ReplayRequest(text(tree, "queue"), eventTypes, text(tree, "aggregateType"), text(tree, "aggregateId"),
                instant(tree, "from"), instant(tree, "to"), rate == null || rate.isNull() ? null : rate.asInt());
    }

    private static String text(JsonNode tree, String field) {
        JsonNode value = tree.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw AdminProblem.badParameter(field, field + " must be a string");
        }
        return value.asText();
    }

    private static Instant instant(JsonNode tree, String field) {
        String value = text(tree, field);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw AdminProblem.badParameter(field, field + " must be an ISO-8601 instant such as 2026-12-01T08:00:00Z");
        }
    }

    private static Map<String, Object> view(ReplayJob job) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", job.id());
        view.put("queue", job.queue());
        view.put("eventTypes", job.eventTypes());
        view.put("aggregateType", job.aggregateType());
        view.put("aggregateId", job.aggregateId());
        view.put("from", job.from());
        view.put("to", job.to());
        view.put("rate", job.rate());
        view.put("status", job.status());
        view.put("total", job.total());
        view.put("done", job.done());
        view.put("eventsPerSecond", Math.round(job.eventsPerSecond()));
        view.put("requestedBy", job.requestedBy());
        view.put("requestedAt", job.requestedAt());
        view.put("startedAt", job.startedAt());
        view.put("notBefore", job.notBefore());
        view.put("finishedAt", job.finishedAt());
        view.put("lastError", job.lastError());
        return view;
    }

    private String operator() {
        return security.getUserPrincipal() == null ? "unknown" : security.getUserPrincipal().getName();
    }
}
