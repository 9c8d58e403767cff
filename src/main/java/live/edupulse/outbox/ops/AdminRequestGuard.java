package live.edupulse.outbox.ops;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Guards the admin page and API against use from other sites. Every response under
 * {@code /admin/*} and {@code /api/outbox/*} carries a strict Content-Security-Policy, {@code nosniff},
 * {@code no-referrer} and {@code no-store}. A state-changing request (any method but GET, HEAD,
 * OPTIONS) is refused before it reaches the API:
 * <ul>
 *   <li>403 when the browser says it comes from another site: {@code Sec-Fetch-Site} is
 *       {@code cross-site} or {@code same-site}, or {@code Origin} is present and is not this
 *       request's own scheme, host and port ({@code Origin: null} included);</li>
 *   <li>415 unless its {@code Content-Type} is {@code application/json}: an HTML form or a
 *       {@code text/plain} fetch, the only bodies another site can send without a CORS preflight,
 *       never change anything.</li>
 * </ul>
 * Requests without either header (curl, scripts) pass on their credentials alone. Refusals are
 * {@code application/problem+json}. Authentication runs before this filter (web.xml's constraint).
 */
@WebFilter(urlPatterns = {"/admin/*", "/api/outbox/*", "/api/inbox/*"})
public class AdminRequestGuard extends HttpFilter {

    private static final long serialVersionUID = 1L;

    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Set<String> OTHER_SITE = Set.of("cross-site", "same-site");

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Cache-Control", "no-store");
        if (!SAFE_METHODS.contains(request.getMethod())) {
            String site = request.getHeader("Sec-Fetch-Site");
            if (site != null && OTHER_SITE.contains(site.trim().toLowerCase(Locale.ROOT))) {
                refuse(response, 403, "Cross-site request", "the admin API refuses requests from another site (Sec-Fetch-Site: "
                        + site.trim() + ")");
                return;
            }
            String origin = request.getHeader("Origin");
            if (origin != null && !sameOrigin(origin, request)) {
                refuse(response, 403, "Cross-site request", "the admin API refuses requests from another origin");
                return;
            }
            if (!isJson(request.getContentType())) {
                refuse(response, 415, "Unsupported media type",
                        "admin changes take Content-Type: application/json (a body of {} when there is nothing to send)");
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** Whether {@code origin} names this request's own scheme, host and port (default ports filled in). */
    static boolean sameOrigin(String origin, HttpServletRequest request) {
        URI parsed;
        try {
            parsed = new URI(origin.trim());
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        if (parsed.getScheme() == null || parsed.getHost() == null) {
            return false; // "null" (sandboxed or privacy-sensitive contexts) and anything malformed
        }
        String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
        int port = parsed.getPort() != -1 ? parsed.getPort() : "https".equals(scheme) ? 443 : 80;
        return scheme.equals(request.getScheme().toLowerCase(Locale.ROOT))
                && parsed.getHost().equalsIgnoreCase(request.getServerName())
                && port == request.getServerPort();
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int parameters = contentType.indexOf(';');
        String type = (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim();
        return type.equalsIgnoreCase("application/json");
    }

    private static void refuse(HttpServletResponse response, int status, String title, String detail) throws IOException {
        byte[] body = JsonNodeFactory.instance.objectNode().put("type", "about:blank").put("title", title)
                .put("status", status).put("detail", detail).toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
