package live.edupulse.outbox.ops;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/** A refused admin request: an RFC 9457 problem naming the parameter; thrown before anything changes. */
final class AdminProblem extends WebApplicationException {

    private static final long serialVersionUID = 1L;

    AdminProblem(int status, String title, String detail, String parameter) {
        super(detail, new Body(status, title, detail, parameter).toResponse());
    }

    static AdminProblem badParameter(String parameter, String detail) {
        return new AdminProblem(400, "Invalid parameter", detail, parameter);
    }

    /** What an admin problem says; {@code parameter} names the request parameter at fault, or is null. */
    record Body(int status, String title, String detail, String parameter) {

        /** This problem as an {@code application/problem+json} response with its status. */
        Response toResponse() {
            ObjectNode body = JsonNodeFactory.instance.objectNode()
                    .put("type", "about:blank").put("title", title).put("status", status).put("detail", detail);
            if (parameter != null) {
                body.put("field", parameter);
            }
            return Response.status(status).type("application/problem+json").entity(body.toString()).build();
        }
    }
}
