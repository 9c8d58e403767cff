package live.edupulse.learning.web;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Set;
import java.util.UUID;
import live.edupulse.learning.Pulse;
import live.edupulse.learning.PulseService;
import live.edupulse.learning.PulseStatistics;
import live.edupulse.learning.PulseStatisticsQuery;
import live.edupulse.learning.Submission;

/**
 * Pulses and their submissions over HTTP. Bodies are bounded ({@link RequestBodyLimit}), read as
 * text and checked field by field ({@link JsonRequest}) before the service is called, so a refused
 * request writes nothing.
 */
@Path("pulses")
@BodyLimited
@Produces(MediaType.APPLICATION_JSON)
public class PulseResource {

    private static final int TITLE_MAX = 200;
    private static final int ANSWER_MAX = 10_000;

    @Inject
    PulseService pulses;

    @Inject
    PulseStatisticsQuery statistics;

    @Context
    UriInfo uri;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(String body) {
        JsonRequest request = JsonRequest.parse(body, Set.of("authorId", "title"));
        UUID authorId = request.requiredUuid("authorId");
        String title = request.requiredText("title", 1, TITLE_MAX, false);
        Pulse pulse = pulses.create(authorId, title);
        return Response.created(uri.getAbsolutePathBuilder().path(pulse.id().toString()).build())
                .entity(json(pulse)).build();
    }

    @GET
    @Path("{id}")
    public String get(@PathParam("id") String id) {
        return json(pulses.find(JsonRequest.uuid("id", id)));
    }

    /**
     * The pulse's statistics as the projection has them (eventually consistent: fed through the
     * inbox from the broker); 404 until the projection has seen the pulse.
     */
    @GET
    @Path("{id}/stats")
    public String stats(@PathParam("id") String id) {
        UUID pulseId = JsonRequest.uuid("id", id);
        PulseStatistics stats = statistics.of(pulseId).orElseThrow(() -> new ProblemException(new Problem(404,
                "Not found", "the statistics have not seen pulse " + pulseId + " (yet)", "id")));
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("pulseId", stats.pulseId().toString());
        json.put("status", stats.status());
        json.put("submissions", stats.submissions());
        json.put("distinctStudents", stats.distinctStudents());
        json.put("updatedAt", stats.updatedAt().toString());
        return json.toString();
    }

    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public String retitle(@PathParam("id") String id, String body) {
        UUID pulseId = JsonRequest.uuid("id", id);
        JsonRequest request = JsonRequest.parse(body, Set.of("title"));
        return json(pulses.retitle(pulseId, request.requiredText("title", 1, TITLE_MAX, false)));
    }

    @POST
    @Path("{id}/close")
    public String close(@PathParam("id") String id) {
        return json(pulses.close(JsonRequest.uuid("id", id)));
    }

    @POST
    @Path("{id}/submissions")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(@PathParam("id") String id, String body) {
        UUID pulseId = JsonRequest.uuid("id", id);
        JsonRequest request = JsonRequest.parse(body, Set.of("studentId", "answer"));
        UUID studentId = request.requiredUuid("studentId");
        String answer = request.requiredText("answer", 1, ANSWER_MAX, true);
        Submission submission = pulses.submit(pulseId, studentId, answer);
        return Response.created(uri.getAbsolutePathBuilder().path(submission.id().toString()).build())
                .entity(json(submission)).build();
    }

    private static String json(Pulse pulse) {
        ObjectNode json = JsonNodeFactory.instance.objectNode()
                .put("id", pulse.id().toString())
                .put("authorId", pulse.authorId().toString())
                .put("title", pulse.title())
                .put("status", pulse.isClosed() ? "closed" : "open")
                .put("version", pulse.version())
                .put("createdAt", pulse.createdAt().toString());
        if (pulse.closedAt() != null) {
            json.put("closedAt", pulse.closedAt().toString());
        }
        return json.toString();
    }

    private static String json(Submission submission) {
        return JsonNodeFactory.instance.objectNode()
                .put("id", submission.id().toString())
                .put("pulseId", submission.pulseId().toString())
                .put("studentId", submission.studentId().toString())
                .put("answer", submission.answer())
                .put("createdAt", submission.createdAt().toString())
                .toString();
    }
}
