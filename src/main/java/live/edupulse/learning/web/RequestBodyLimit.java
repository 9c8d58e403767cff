package live.edupulse.learning.web;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses a learning API request whose body is larger than {@code learning.api.max-body-bytes}
 * with a 413 problem, before the body is parsed and without holding more than the limit in
 * memory: a declared {@code Content-Length} above the limit is refused unread; any other body is
 * read up to one byte past the limit and refused there. An accepted body is handed on from memory.
 */
@Provider
@BodyLimited
@Priority(Priorities.ENTITY_CODER)
public class RequestBodyLimit implements ContainerRequestFilter {

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        int limit = LearningApiLimits.maxBodyBytes();
        if (declaredLength(request) > limit) {
            request.abortWith(Problem.tooLarge(limit).toResponse());
            return;
        }
        if (!request.hasEntity()) {
            return;
        }
        byte[] body;
        try (InputStream stream = request.getEntityStream()) {
            body = stream.readNBytes(limit + 1);
        }
        if (body.length > limit) {
            request.abortWith(Problem.tooLarge(limit).toResponse());
            return;
        }
        request.setEntityStream(new ByteArrayInputStream(body));
    }

    private static long declaredLength(ContainerRequestContext request) {
        String declared = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (declared == null) {
            return -1;
        }
        try {
            return Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return -1; // the server refuses a malformed length itself; the body is still counted
        }
    }
}
