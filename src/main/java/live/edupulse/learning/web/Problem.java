package live.edupulse.learning.web;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem detail, sent as {@code application/problem+json}. {@code field} names the
 * request field (or path parameter) at fault, when there is one.
 */
public record Problem(int status, String title, String detail, String field) {

    public static final String MEDIA_TYPE = "application/problem+json";

    static Problem invalidField(String field, String detail) {
        return new Problem(400, "Invalid request field", detail, field);
    }

    static Problem tooLarge(int limit) {
        return new Problem(413, "Content too large", "the request body is larger than " + limit + " bytes", null);
    }

    static Problem badRequest(String detail) {
        return new Problem(400, "Bad request", detail, null);
    }

    Response toResponse() {
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
