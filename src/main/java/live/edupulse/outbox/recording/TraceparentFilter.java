package live.edupulse.outbox.recording;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Makes an incoming request's {@code traceparent} header the {@link Traceparent#current()} one while it is served. */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class TraceparentFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String traceparent = request.getHeader("traceparent");
        if (traceparent == null) {
            chain.doFilter(request, response);
            return;
        }
        try (Traceparent.Scope scope = Traceparent.open(traceparent.trim())) {
            chain.doFilter(request, response);
        }
    }
}
