package live.edupulse.learning.web;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem detail, sent as {@code application/problem+json}. {@code field} names the
 * request field (or path parameter) at fault, when there is one.
 */
public record Problem(int status, String title, String detail, String field) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /**
     * The framework's own refusal (unknown path, wrong method or media type, a parameter it could
     * not convert) with its status, titled by the status's reason phrase.
     */
    public static Problem refusal(WebApplicationException refused) {
        Response.StatusType status = refused.getResponse().getStatusInfo();
        String title = status.getReasonPhrase() == null ? "HTTP " + status.getStatusCode() : status.getReasonPhrase();
        return new Problem(status.getStatusCode(), title, refused.getMessage(), null);
    }

    /** A failure nobody expected: a 500 whose body says nothing about internals (log the failure). */
    public static Problem unexpected() {
        return new Problem(500, "Internal server error", "an unexpected error occurred; it has been logged", null);
    }

    static Problem invalidField(String field, String detail) {
        return new Problem(400, "Invalid request field", detail, field);
    }

    static Problem tooLarge(int limit) {
        return new Problem(413, "Content too large", "the request body is larger than " + limit + " bytes", null);
    }

    static Problem badRequest(String detail) {
        return new Problem(400, "Bad request", detail, null);
    }

    /** This problem as a response: its status, {@value #MEDIA_TYPE}, the RFC 9457 members. */
    public Response toResponse() {
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("type", "about:blank")
                .put("title", title)
                .put("status", status)
                .put("detail", detail);
        if (field != null) {
            body.put("field", field);
        }
        return Response.status(status).type(MEDIA_TYPE).entity(body.toString()).build();
    }
}
